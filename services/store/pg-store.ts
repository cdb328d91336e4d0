// The Store on PostgreSQL (node-postgres), assembled from its operation modules (pg-*.ts) as the
// SQLite store is from its own: each Store method written once there, guardOperations() turning
// PostgreSQL's errors into gradebox errors on the way out.
import type { BlobStore } from './blob-store.js';
import { apiKeyOperations } from './pg-api-keys.js';
import { assignmentOperations } from './pg-assignments.js';
import { blobOperations } from './pg-blob-contents.js';
import type { PgPool } from './pg-connection.js';
import type { PgContext } from './pg-context.js';
import { countOperations } from './pg-counts.js';
import { courseOperations } from './pg-courses.js';
import { translatePgError } from './pg-errors.js';
import { eventOperations } from './pg-events.js';
import { graderSnapshotOperations } from './pg-grader-snapshots.js';
import { gradingOperations } from './pg-grading.js';
import { inboundWebhookOperations } from './pg-inbound-webhooks.js';
import { incidentOperations } from './pg-incidents.js';
import { ltiLaunchOperations } from './pg-lti-launches.js';
import { ltiPeopleOperations } from './pg-lti-people.js';
import { ltiLinkOperations } from './pg-lti-links.js';
import { ltiPlatformOperations } from './pg-lti-platforms.js';
import { ltiScoreOperations } from './pg-lti-scores.js';
import { outboxOperations } from './pg-outbox.js';
import { queueStatsOperations } from './pg-queue-stats.js';
import { regradeBatchOperations } from './pg-regrade-batches.js';
import { selfTestOperations } from './pg-self-tests.js';
import { sessionOperations } from './pg-sessions.js';
import { staffAuditOperations } from './pg-staff-audit.js';
import { submissionOperations } from './pg-submissions.js';
import { userOperations } from './pg-users.js';
import { webhookDeliveryOperations } from './pg-webhook-deliveries.js';
import { webhookEndpointOperations } from './pg-webhook-endpoints.js';
import { webhookMessageOperations } from './pg-webhook-messages.js';
import type { Store } from './store.js';
import { guardOperations, type StoreOperations } from './store-operations.js';
import type { StoreOptions } from './store-options.js';

export interface PgStore extends Store {
  /** The database's URL without its password, named in error messages. */
  readonly where: string;
}

/** The store's own life: readiness and closing. */
function connectionOperations({ pool }: PgContext) {
  let closing: Promise<void> | null = null;
  return {
    async ping() {
      await pool.query('SELECT 1');
    },

    /** Closes the pool (again is fine). */
    close() {
      closing ??= pool.end();
      return closing;
    },
  } satisfies Partial<StoreOperations>;
}

/** Use `openStore()`: it checks the URL and migrates the database first. */
export function pgStore(pool: PgPool, where: string, blobs: BlobStore, options: StoreOptions): PgStore {
  const context: PgContext = { pool, blobs, options };
  // Typed as every operation: the compiler names any Store method no module provides.
  const operations: StoreOperations = {
    ...courseOperations(context),
    ...apiKeyOperations(context),
    ...assignmentOperations(context),
    ...graderSnapshotOperations(context),
    ...blobOperations(context),
    ...submissionOperations(context),
    ...outboxOperations(context),
    ...gradingOperations(context),
    ...incidentOperations(context),
    ...eventOperations(context),
    ...countOperations(context),
    ...userOperations(context),
    ...sessionOperations(context),
    ...staffAuditOperations(context),
    ...selfTestOperations(context),
    ...regradeBatchOperations(context),
    ...queueStatsOperations(context),
    ...webhookEndpointOperations(context),
    ...webhookMessageOperations(context),
    ...webhookDeliveryOperations(context),
    ...inboundWebhookOperations(context),
    ...ltiPlatformOperations(context),
    ...ltiLaunchOperations(context),
    ...ltiPeopleOperations(context),
    ...ltiLinkOperations(context),
    ...ltiScoreOperations(context),
    ...connectionOperations(context),
  };
  return { ...guardOperations(operations, (error) => translatePgError(error, where)), maxJsonBytes: options.maxJsonBytes, where };
}
