// The tables `gradebox migrate` copies from a SQLite store to a PostgreSQL one, in an order where each
// table comes after those it refers to. A table not listed here stops the copy: a table added to the
// schema is added here too, so no data is ever left behind unnoticed (schema_migrations is each
// database's own).
export const COPIED_TABLES: readonly string[] = [
  'courses',
  'api_keys',
  'blob_contents',
  'grader_snapshots',
  'assignments',
  'submissions',
  'submission_files',
  'outbox',
  'attempts',
  'results',
  'incidents',
  'events',
  'users',
  'identities',
  'course_roles',
  'sessions',
  'staff_audit',
  'grader_samples',
  'self_tests',
  'self_test_cases',
  'regrade_batches',
  'regrade_batch_items',
  'webhook_endpoints',
  'webhook_messages',
  'webhook_deliveries',
  'webhook_attempts',
  'inbound_integrations',
  'inbound_receipts',
  'lti_platforms',
  'lti_deployments',
  'lti_keys',
  'lti_login_states',
  'lti_nonces',
  'lti_contexts',
  'lti_resource_links',
  'lti_users',
  'lti_learners',
  'lti_launches',
  'lti_handoffs',
  'lti_score_deliveries',
];

/** Tables each database keeps for itself (its schema version, SQLite's own bookkeeping). */
export function isOwnTable(name: string): boolean {
  return name === 'schema_migrations' || name.startsWith('sqlite_');
}
