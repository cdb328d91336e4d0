// The Store on SQLite (better-sqlite3), assembled from its operation modules (sqlite-*.ts): each
// Store method is written once there, synchronous underneath; guardOperations() makes every one
// return a Promise (so a PostgreSQL store can take this one's place) and turns SQLite's own errors
// into gradebox errors on the way out.
import type { BlobStore } from './blob-store.js';
import { apiKeyOperations } from './sqlite-api-keys.js';
import { assignmentOperations } from './sqlite-assignments.js';
import { blobOperations } from './sqlite-blob-contents.js';
import type { SqliteDatabase } from './sqlite-connection.js';
import type { SqliteContext } from './sqlite-context.js';
import { countOperations } from './sqlite-counts.js';
import { courseOperations } from './sqlite-courses.js';
import { translateSqliteError } from './sqlite-errors.js';
import { eventOperations } from './sqlite-events.js';
import { graderSnapshotOperations } from './sqlite-grader-snapshots.js';
import { gradingOperations } from './sqlite-grading.js';
import { inboundWebhookOperations } from './sqlite-inbound-webhooks.js';
import { incidentOperations } from './sqlite-incidents.js';
import { ltiLaunchOperations } from './sqlite-lti-launches.js';
import { ltiPeopleOperations } from './sqlite-lti-people.js';
import { ltiLinkOperations } from './sqlite-lti-links.js';
import { ltiPlatformOperations } from './sqlite-lti-platforms.js';
import { ltiScoreOperations } from './sqlite-lti-scores.js';
import { outboxOperations } from './sqlite-outbox.js';
import { queueStatsOperations } from './sqlite-queue-stats.js';
import { regradeBatchOperations } from './sqlite-regrade-batches.js';
import { selfTestOperations } from './sqlite-self-tests.js';
import { sessionOperations } from './sqlite-sessions.js';
import { staffAuditOperations } from './sqlite-staff-audit.js';
import { submissionOperations } from './sqlite-submissions.js';
import { userOperations } from './sqlite-users.js';
import { webhookDeliveryOperations } from './sqlite-webhook-deliveries.js';
import { webhookEndpointOperations } from './sqlite-webhook-endpoints.js';
import { webhookMessageOperations } from './sqlite-webhook-messages.js';
import type { Store } from './store.js';
import { guardOperations, type StoreOperations } from './store-operations.js';
import type { StoreOptions } from './store-options.js';

export interface SqliteStore extends Store {
  /** The database file, named in error messages. */
  readonly file: string;
}

/** The store's own life: readiness and closing. */
function connectionOperations({ db }: SqliteContext) {
  return {
    ping() {
      db.prepare('SELECT 1').get();
    },

    /** Closes the connection (again is fine). */
    close() {
      if (db.open) db.close();
    },
  } satisfies Partial<StoreOperations>;
}

/** Use `openStore()`: it creates the folders and migrates the database first. */
export function sqliteStore(db: SqliteDatabase, file: string, blobs: BlobStore, options: StoreOptions): SqliteStore {
  const context: SqliteContext = { db, blobs, options };
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
  return { ...guardOperations(operations, (error) => translateSqliteError(error, file)), maxJsonBytes: options.maxJsonBytes, file };
}
