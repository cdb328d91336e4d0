// Inbound webhook integrations in SQLite (an LMS or portal that sends a course signed webhooks) and
// their receipts: the webhook-id of each request it made, stored in the transaction of what it asked,
// so a redelivery of the same webhook creates nothing twice.
import { UserError } from '../common/errors.js';
import { inboundIntegrationId, newInboundIntegrationId } from '../protocol/webhook-ids.js';
import { newWebhookSecret } from '../protocol/webhook-secret.js';
import { checkText, quote } from './input-checks.js';
import { now, writeTransaction, type SqliteDatabase } from './sqlite-connection.js';
import type { SqliteContext } from './sqlite-context.js';
import { requireCourse } from './sqlite-courses.js';
import { submissionOperations } from './sqlite-submissions.js';
import type { CreatedSubmission, Submission } from './store.js';
import type { StoreOperations } from './store-operations.js';
import { checkReceipt } from './webhook-checks.js';
import { toIntegration, type IntegrationRow } from './webhook-rows.js';
import type { InboundReceipt } from './webhook-store.js';

function integrationRow(db: SqliteDatabase, id: string): IntegrationRow | null {
  if (!inboundIntegrationId.safeParse(id).success) return null;
  return (db.prepare('SELECT * FROM inbound_integrations WHERE id = ?').get(id) as IntegrationRow | undefined) ?? null;
}

/** The submission an earlier request with this receipt made or regraded, or null. */
function earlierSubmission(db: SqliteDatabase, receipt: InboundReceipt, getSubmission: (id: string) => Submission | null): Submission | null {
  const id = db.prepare('SELECT submission_id FROM inbound_receipts WHERE integration_id = ? AND webhook_id = ?')
    .pluck().get(receipt.integrationId, receipt.webhookId) as string | undefined;
  return id === undefined ? null : getSubmission(id);
}

function addReceipt(db: SqliteDatabase, receipt: InboundReceipt, submissionId: string): void {
  if (!integrationRow(db, receipt.integrationId)) throw new UserError('E_NOT_FOUND', `inbound integration ${quote(receipt.integrationId)} does not exist`);
  db.prepare('INSERT INTO inbound_receipts (integration_id, webhook_id, submission_id, created_at) VALUES (?, ?, ?, ?)')
    .run(receipt.integrationId, receipt.webhookId, submissionId, now());
}

export function inboundWebhookOperations(context: SqliteContext) {
  const { db } = context;
  // Called inside this module's transactions, where their own become savepoints of it.
  const submissions = submissionOperations(context);
  return {
    createInboundIntegration(courseId, label) {
      requireCourse(db, courseId);
      const text = label === undefined ? null : checkText('integration label', label, 200);
      const id = newInboundIntegrationId();
      const secret = newWebhookSecret();
      db.prepare('INSERT INTO inbound_integrations (id, course_id, label, secret, created_at) VALUES (?, ?, ?, ?, ?)').run(id, courseId, text, secret, now());
      return { integration: toIntegration(integrationRow(db, id)!), secret };
    },

    listInboundIntegrations(courseId) {
      requireCourse(db, courseId);
      return (db.prepare('SELECT * FROM inbound_integrations WHERE course_id = ? ORDER BY created_at, id').all(courseId) as IntegrationRow[]).map(toIntegration);
    },

    findInboundIntegration(id) {
      const row = integrationRow(db, id);
      return row ? { ...toIntegration(row), secret: row.secret } : null;
    },

    /** Removes it with its receipts: what it sends from now on is refused. */
    removeInboundIntegration(id) {
      writeTransaction(db, () => {
        if (!integrationRow(db, id)) throw new UserError('E_NOT_FOUND', `inbound integration ${quote(id)} does not exist; list them with gradebox webhooks inbound list --course C`);
        db.prepare('DELETE FROM inbound_receipts WHERE integration_id = ?').run(id);
        db.prepare('DELETE FROM inbound_integrations WHERE id = ?').run(id);
      });
    },

    createInboundSubmission(receipt, input): CreatedSubmission {
      checkReceipt(receipt);
      return writeTransaction(db, () => {
        const earlier = earlierSubmission(db, receipt, submissions.getSubmission);
        if (earlier) return { submission: earlier, created: false };
        const created = submissions.createSubmission(input);
        addReceipt(db, receipt, created.submission.id);
        return created;
      });
    },

    requestInboundRegrade(receipt, submissionId, requestId): CreatedSubmission {
      checkReceipt(receipt);
      return writeTransaction(db, () => {
        const earlier = earlierSubmission(db, receipt, submissions.getSubmission);
        if (earlier) return { submission: earlier, created: false };
        const submission = submissions.requestRegrade(submissionId, requestId);
        addReceipt(db, receipt, submission.id);
        return { submission, created: true };
      });
    },
  } satisfies Partial<StoreOperations>;
}
