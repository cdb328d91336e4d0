// The numbered schema migrations, oldest first. Never edit one that has shipped: add the next, with
// its PostgreSQL twin in pg-schema-migrations.ts.
export interface Migration {
  /** 1, 2, 3 … with no gap. */
  version: number;
  name: string;
  sql: string;
}

// Times are ISO-8601 UTC text (they sort as they compare); STRICT tables refuse a value of the
// wrong type instead of storing it silently.
const INITIAL = `
CREATE TABLE courses (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  created_at TEXT NOT NULL
) STRICT;

CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  course_id TEXT NOT NULL REFERENCES courses(id),
  label TEXT,
  prefix TEXT NOT NULL,
  secret_sha256 BLOB NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  revoked_at TEXT
) STRICT;
CREATE INDEX api_keys_prefix ON api_keys(prefix);
CREATE INDEX api_keys_course ON api_keys(course_id);

CREATE TABLE assignments (
  id INTEGER PRIMARY KEY,
  course_id TEXT NOT NULL REFERENCES courses(id),
  name TEXT NOT NULL,
  grader_dir TEXT NOT NULL,
  grader_digest TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (course_id, name)
) STRICT;
CREATE INDEX assignments_digest ON assignments(grader_digest);

CREATE TABLE submissions (
  id TEXT PRIMARY KEY,
  course_id TEXT NOT NULL REFERENCES courses(id),
  assignment_id INTEGER NOT NULL REFERENCES assignments(id),
  student TEXT NOT NULL,
  idempotency_key TEXT,
  status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'graded', 'error')),
  grade_number INTEGER NOT NULL CHECK (grade_number >= 1),
  error TEXT,
  file_count INTEGER NOT NULL,
  total_bytes INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (course_id, idempotency_key)
) STRICT;
CREATE INDEX submissions_course ON submissions(course_id, created_at);
CREATE INDEX submissions_status ON submissions(status);

CREATE TABLE submission_files (
  submission_id TEXT NOT NULL REFERENCES submissions(id),
  path TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  size INTEGER NOT NULL,
  PRIMARY KEY (submission_id, path)
) STRICT, WITHOUT ROWID;

-- AUTOINCREMENT: an id is never reused after its row is deleted, so a relay holding an old id
-- cannot mark a newer request dispatched.
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  submission_id TEXT NOT NULL REFERENCES submissions(id),
  kind TEXT NOT NULL CHECK (kind IN ('grade', 'regrade')),
  grade_number INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (submission_id, grade_number)
) STRICT;

CREATE TABLE attempts (
  id INTEGER PRIMARY KEY,
  submission_id TEXT NOT NULL REFERENCES submissions(id),
  grade_number INTEGER NOT NULL,
  worker_id TEXT NOT NULL,
  started_at TEXT NOT NULL
) STRICT;
CREATE INDEX attempts_grading ON attempts(submission_id, grade_number);

-- One outcome per grading: a result ('graded') or a failure for good ('error'); the first one stays.
CREATE TABLE results (
  submission_id TEXT NOT NULL REFERENCES submissions(id),
  grade_number INTEGER NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('graded', 'error')),
  verdict TEXT,
  score REAL,
  max_score REAL,
  gradable INTEGER,
  result_json TEXT,
  error TEXT,
  created_at TEXT NOT NULL,
  PRIMARY KEY (submission_id, grade_number)
) STRICT;

CREATE TABLE incidents (
  id INTEGER PRIMARY KEY,
  submission_id TEXT NOT NULL REFERENCES submissions(id),
  grade_number INTEGER NOT NULL,
  syscall TEXT NOT NULL,
  evidence_sha256 TEXT,
  evidence_path TEXT,
  record_json TEXT NOT NULL,
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX incidents_submission ON incidents(submission_id);

CREATE TABLE events (
  submission_id TEXT NOT NULL REFERENCES submissions(id),
  seq INTEGER NOT NULL,
  type TEXT NOT NULL,
  data_json TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (submission_id, seq)
) STRICT, WITHOUT ROWID;
`;

// LTI 1.3: platform registrations, gradebox's signing keys, login states and seen nonces, LMS
// contexts and resource links mapped onto courses and assignments, LTI users, learners known by
// their sub, launch sessions, and score deliveries (grade passback) written with the event they report.
const LTI = `
CREATE TABLE lti_platforms (
  id INTEGER PRIMARY KEY,
  issuer TEXT NOT NULL,
  client_id TEXT NOT NULL,
  auth_url TEXT NOT NULL,
  token_url TEXT NOT NULL,
  jwks_url TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (issuer, client_id)
) STRICT;

CREATE TABLE lti_deployments (
  platform_id INTEGER NOT NULL REFERENCES lti_platforms(id),
  deployment_id TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (platform_id, deployment_id)
) STRICT;

CREATE TABLE lti_keys (
  kid TEXT PRIMARY KEY,
  private_jwk TEXT NOT NULL,
  public_jwk TEXT NOT NULL,
  created_at TEXT NOT NULL,
  retired_at TEXT
) STRICT;

CREATE TABLE lti_login_states (
  state TEXT PRIMARY KEY,
  nonce TEXT NOT NULL,
  platform_id INTEGER NOT NULL REFERENCES lti_platforms(id),
  expires_at TEXT NOT NULL
) STRICT;

CREATE TABLE lti_nonces (
  platform_id INTEGER NOT NULL REFERENCES lti_platforms(id),
  nonce TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  PRIMARY KEY (platform_id, nonce)
) STRICT;

CREATE TABLE lti_contexts (
  platform_id INTEGER NOT NULL REFERENCES lti_platforms(id),
  context_id TEXT NOT NULL,
  course_id TEXT NOT NULL REFERENCES courses(id),
  title TEXT,
  lineitems_url TEXT,
  memberships_url TEXT,
  created_at TEXT NOT NULL,
  PRIMARY KEY (platform_id, context_id)
) STRICT;

CREATE TABLE lti_resource_links (
  platform_id INTEGER NOT NULL REFERENCES lti_platforms(id),
  resource_link_id TEXT NOT NULL,
  context_id TEXT NOT NULL,
  course_id TEXT NOT NULL REFERENCES courses(id),
  assignment_id INTEGER REFERENCES assignments(id),
  title TEXT,
  lineitem_url TEXT,
  created_at TEXT NOT NULL,
  PRIMARY KEY (platform_id, resource_link_id)
) STRICT;

CREATE TABLE lti_users (
  platform_id INTEGER NOT NULL REFERENCES lti_platforms(id),
  sub TEXT NOT NULL,
  name TEXT,
  email TEXT,
  roles_json TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (platform_id, sub)
) STRICT;

CREATE TABLE lti_learners (
  course_id TEXT NOT NULL REFERENCES courses(id),
  assignment_id INTEGER NOT NULL REFERENCES assignments(id),
  student TEXT NOT NULL,
  platform_id INTEGER NOT NULL REFERENCES lti_platforms(id),
  resource_link_id TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (course_id, assignment_id, student)
) STRICT;

CREATE TABLE lti_launches (
  token_sha256 TEXT PRIMARY KEY,
  platform_id INTEGER NOT NULL REFERENCES lti_platforms(id),
  sub TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('instructor', 'ta', 'learner')),
  course_id TEXT NOT NULL REFERENCES courses(id),
  context_id TEXT NOT NULL,
  resource_link_id TEXT,
  assignment_id INTEGER REFERENCES assignments(id),
  deep_link_json TEXT,
  expires_at TEXT NOT NULL
) STRICT;

CREATE TABLE lti_score_deliveries (
  id INTEGER PRIMARY KEY,
  course_id TEXT NOT NULL,
  assignment_id INTEGER NOT NULL,
  student TEXT NOT NULL,
  submission_id TEXT NOT NULL REFERENCES submissions(id),
  grade_number INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('pending', 'graded', 'failed')),
  platform_id INTEGER NOT NULL REFERENCES lti_platforms(id),
  resource_link_id TEXT NOT NULL,
  score_timestamp TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed', 'superseded')),
  attempts INTEGER NOT NULL,
  next_attempt_at TEXT NOT NULL,
  lease_until TEXT,
  last_status INTEGER,
  last_error TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX lti_score_deliveries_due ON lti_score_deliveries(state, next_attempt_at);
CREATE INDEX lti_score_deliveries_course ON lti_score_deliveries(course_id, id);
CREATE INDEX lti_score_deliveries_learner ON lti_score_deliveries(course_id, assignment_id, student);
`;

// People and what they may do; sessions; key scopes; the staff's own audit chain; what the staff
// API adds to courses, assignments, submissions and incidents (archiving, publishing, self-tests,
// triage, regrades by filter).
const STAFF = `
-- Who signs in to the dashboard: email (kept lowercase) and a password hash, or (later) an LTI
-- launch, which finds its person by (issuer, subject) in identities.
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  email TEXT UNIQUE,
  name TEXT,
  password_hash TEXT,
  admin INTEGER NOT NULL CHECK (admin IN (0, 1)),
  created_at TEXT NOT NULL,
  disabled_at TEXT
) STRICT;

CREATE TABLE identities (
  issuer TEXT NOT NULL,
  subject TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users(id),
  created_at TEXT NOT NULL,
  PRIMARY KEY (issuer, subject)
) STRICT;
CREATE INDEX identities_user ON identities(user_id);

CREATE TABLE course_roles (
  user_id TEXT NOT NULL REFERENCES users(id),
  course_id TEXT NOT NULL REFERENCES courses(id),
  role TEXT NOT NULL CHECK (role IN ('instructor', 'ta')),
  created_at TEXT NOT NULL,
  PRIMARY KEY (user_id, course_id)
) STRICT;
CREATE INDEX course_roles_course ON course_roles(course_id);

-- Only a sha256 of a session's secret is kept, like a key's: a copy of the database signs nobody in.
CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  secret_sha256 BLOB NOT NULL UNIQUE,
  user_id TEXT NOT NULL REFERENCES users(id),
  csrf_token TEXT NOT NULL,
  created_at TEXT NOT NULL,
  last_seen_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  ended_at TEXT
) STRICT;
CREATE INDEX sessions_user ON sessions(user_id);

ALTER TABLE api_keys ADD COLUMN scope TEXT NOT NULL DEFAULT 'portal' CHECK (scope IN ('portal', 'staff'));
ALTER TABLE api_keys ADD COLUMN expires_at TEXT;
ALTER TABLE courses ADD COLUMN archived_at TEXT;
ALTER TABLE assignments ADD COLUMN state TEXT NOT NULL DEFAULT 'published' CHECK (state IN ('draft', 'published', 'archived'));
ALTER TABLE submissions ADD COLUMN purpose TEXT NOT NULL DEFAULT 'student' CHECK (purpose IN ('student', 'self_test'));
ALTER TABLE incidents ADD COLUMN triage_state TEXT NOT NULL DEFAULT 'new' CHECK (triage_state IN ('new', 'reviewed', 'dismissed', 'escalated'));
ALTER TABLE incidents ADD COLUMN triage_note TEXT;
ALTER TABLE incidents ADD COLUMN triaged_by TEXT;
ALTER TABLE incidents ADD COLUMN triaged_at TEXT;

-- Staff actions as hash-chained lines (services/audit/staff-audit.ts makes and checks them).
CREATE TABLE staff_audit (
  seq INTEGER PRIMARY KEY,
  course_id TEXT,
  line TEXT NOT NULL
) STRICT;
CREATE INDEX staff_audit_course ON staff_audit(course_id, seq);

-- The sample submissions an uploaded grader brought, each with the verdict it must get.
CREATE TABLE grader_samples (
  assignment_id INTEGER NOT NULL REFERENCES assignments(id),
  grader_digest TEXT NOT NULL,
  name TEXT NOT NULL,
  expected_verdict TEXT NOT NULL,
  files_json TEXT NOT NULL,
  PRIMARY KEY (assignment_id, grader_digest, name)
) STRICT;

-- A self-test grades every sample as a submission (purpose self_test) through the workers.
CREATE TABLE self_tests (
  id TEXT PRIMARY KEY,
  assignment_id INTEGER NOT NULL REFERENCES assignments(id),
  grader_digest TEXT NOT NULL,
  requested_by TEXT NOT NULL,
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX self_tests_assignment ON self_tests(assignment_id, created_at);

CREATE TABLE self_test_cases (
  self_test_id TEXT NOT NULL REFERENCES self_tests(id),
  name TEXT NOT NULL,
  expected_verdict TEXT NOT NULL,
  submission_id TEXT NOT NULL REFERENCES submissions(id),
  PRIMARY KEY (self_test_id, name)
) STRICT;

CREATE TABLE regrade_batches (
  id TEXT PRIMARY KEY,
  course_id TEXT NOT NULL REFERENCES courses(id),
  filter_json TEXT NOT NULL,
  requested_by TEXT NOT NULL,
  created_at TEXT NOT NULL
) STRICT;

CREATE TABLE regrade_batch_items (
  batch_id TEXT NOT NULL REFERENCES regrade_batches(id),
  submission_id TEXT NOT NULL REFERENCES submissions(id),
  grade_number INTEGER NOT NULL,
  PRIMARY KEY (batch_id, submission_id)
);
`;

// Signed webhooks out and in. A message is written in the transaction of the event it reports,
// with one delivery per subscribed endpoint; `relayed` is the outbox flag (handed to the queue);
// `round` counts manual redeliveries, so each gets its own job. Secrets are kept whole: they sign.
// An inbound integration's receipts make each webhook-id it sends act once.
const WEBHOOKS = `
CREATE TABLE webhook_endpoints (
  id TEXT PRIMARY KEY,
  course_id TEXT NOT NULL REFERENCES courses(id),
  url TEXT NOT NULL,
  event_types TEXT,
  description TEXT,
  secret TEXT NOT NULL,
  previous_secret TEXT,
  previous_secret_expires_at TEXT,
  disabled_at TEXT,
  disabled_reason TEXT,
  failing_since TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX webhook_endpoints_course ON webhook_endpoints(course_id);

CREATE TABLE webhook_messages (
  id TEXT PRIMARY KEY,
  course_id TEXT NOT NULL REFERENCES courses(id),
  type TEXT NOT NULL,
  submission_id TEXT REFERENCES submissions(id),
  grade_number INTEGER,
  incident_id INTEGER,
  payload TEXT,
  created_at TEXT NOT NULL
) STRICT;

CREATE TABLE webhook_deliveries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  message_id TEXT NOT NULL REFERENCES webhook_messages(id),
  endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints(id),
  round INTEGER NOT NULL,
  relayed INTEGER NOT NULL CHECK (relayed IN (0, 1)),
  state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
  attempts INTEGER NOT NULL,
  next_attempt_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (message_id, endpoint_id)
) STRICT;
CREATE INDEX webhook_deliveries_unrelayed ON webhook_deliveries(id) WHERE relayed = 0;
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries(endpoint_id, id);

CREATE TABLE webhook_attempts (
  delivery_id INTEGER NOT NULL REFERENCES webhook_deliveries(id),
  attempt INTEGER NOT NULL,
  started_at TEXT NOT NULL,
  status INTEGER,
  latency_ms INTEGER NOT NULL,
  error TEXT,
  outcome TEXT NOT NULL CHECK (outcome IN ('delivered', 'retry', 'failed', 'disabled')),
  PRIMARY KEY (delivery_id, attempt)
) STRICT;

CREATE TABLE inbound_integrations (
  id TEXT PRIMARY KEY,
  course_id TEXT NOT NULL REFERENCES courses(id),
  label TEXT,
  secret TEXT NOT NULL,
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX inbound_integrations_course ON inbound_integrations(course_id);

CREATE TABLE inbound_receipts (
  integration_id TEXT NOT NULL REFERENCES inbound_integrations(id),
  webhook_id TEXT NOT NULL,
  submission_id TEXT NOT NULL REFERENCES submissions(id),
  created_at TEXT NOT NULL,
  PRIMARY KEY (integration_id, webhook_id)
) STRICT;
`;

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial', sql: INITIAL },
  // A small file is kept in the database and stored in the transaction of its submission: one
  // disk flush instead of three (file, its folder, the commit), and no file made per upload.
  { version: 2, name: 'small blobs in the database', sql: 'CREATE TABLE blob_contents (sha256 TEXT PRIMARY KEY, content BLOB NOT NULL) STRICT;' },
  // A worker sends a start again when the answer to it was lost: each of its tries counts once.
  // Rows from before carry no number (NULL), and NULLs never collide in a unique index.
  { version: 3, name: 'one attempt row per try', sql: `
ALTER TABLE attempts ADD COLUMN worker_attempt INTEGER CHECK (worker_attempt >= 1);
CREATE UNIQUE INDEX attempts_once ON attempts(submission_id, grade_number, worker_id, worker_attempt);
DROP INDEX attempts_grading;` },
  // Graders are frozen when their assignment is added: a tar (a blob) under the grader's digest, so
  // the API and the workers never read the instructor's folder again. Assignments from before have
  // no snapshot until they are added again.
  { version: 4, name: 'grader snapshots', sql: `
CREATE TABLE grader_snapshots (
  digest TEXT PRIMARY KEY,
  blob_sha256 TEXT NOT NULL,
  size INTEGER NOT NULL,
  manifest_json TEXT NOT NULL,
  created_at TEXT NOT NULL
) STRICT;` },
  // Feedback is shown to students by the assignment's state at read time: its due date and whether
  // its feedback is released (NULL: no due date / not released). A failure keeps the code of the
  // user error that caused it, so the API can tell a student's own mistake from its own failure.
  { version: 5, name: 'due dates, feedback release, failure codes', sql: `
ALTER TABLE assignments ADD COLUMN due_at TEXT;
ALTER TABLE assignments ADD COLUMN feedback_released_at TEXT;
ALTER TABLE submissions ADD COLUMN error_code TEXT;` },
  // Several API processes relay one outbox: a relay claims rows for a while (a lease), so each
  // request is enqueued by one of them; a relay that dies leaves its claims to expire.
  { version: 6, name: 'outbox claims', sql: 'ALTER TABLE outbox ADD COLUMN claimed_until TEXT;' },
  // The entry file a submission names (the upload's `entry` field): every grading of it, regrades
  // too, starts the program there. NULL: none named (the language's own rule).
  { version: 7, name: 'submission entry files', sql: 'ALTER TABLE submissions ADD COLUMN entry TEXT;' },
  { version: 8, name: 'accounts, roles, sessions, key scopes, staff audit, self-tests, triage, regrade batches', sql: STAFF },
  { version: 9, name: 'webhooks', sql: WEBHOOKS },
  { version: 10, name: 'lti', sql: LTI },
  // The id of the API request that asked for the grading, for the job (and so the worker's log);
  // rows from before have none (NULL).
  { version: 11, name: 'request ids in the outbox', sql: 'ALTER TABLE outbox ADD COLUMN request_id TEXT;' },
  // Staff who launch from an LMS sign in to the dashboard: a course role says whether only a launch
  // granted it (it then follows the latest launch), a single-use handoff token (its hash) carries a
  // launch from the LMS iframe into a first-party session, and a score delivery remembers that it
  // was sent as PendingManual, so releasing the feedback sends it again as FullyGraded.
  { version: 12, name: 'lti staff in the dashboard, scores re-sent on release', sql: `
ALTER TABLE course_roles ADD COLUMN granted_by TEXT CHECK (granted_by IN ('lti'));
ALTER TABLE lti_score_deliveries ADD COLUMN withheld_sent INTEGER NOT NULL DEFAULT 0 CHECK (withheld_sent IN (0, 1));
CREATE TABLE lti_handoffs (
  token_sha256 TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  course_id TEXT NOT NULL REFERENCES courses(id),
  assignment_id INTEGER REFERENCES assignments(id),
  expires_at TEXT NOT NULL,
  used_at TEXT
) STRICT;` },
];
