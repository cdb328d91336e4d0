// Inbound webhook integrations in PostgreSQL (an LMS or portal that sends a course signed webhooks)
// and their receipts: the webhook-id of each request it made, stored in the transaction of what it
// asked, so a redelivery of the same webhook creates nothing twice.
import { UserError } from '../common/errors.js';
import { inboundIntegrationId, newInboundIntegrationId } from '../protocol/webhook-ids.js';
import { newWebhookSecret } from '../protocol/webhook-secret.js';
import { checkText, quote } from './input-checks.js';
import { now, row, rows, writeTransaction, type PgClient, type Queryable } from './pg-connection.js';
import type { PgContext } from './pg-context.js';
import { requireCourse } from './pg-courses.js';
import { checkNewSubmission, findSubmission, insertCheckedSubmission, regradeIn } from './pg-submissions.js';
import type { CreatedSubmission, Submission } from './store.js';
import type { StoreOperations } from './store-operations.js';
import { checkReceipt } from './webhook-checks.js';
import { toIntegration, type IntegrationRow } from './webhook-rows.js';
import type { InboundReceipt } from './webhook-store.js';

async function integrationRow(db: Queryable, id: string, lock = ''): Promise<IntegrationRow | null> {
  if (!inboundIntegrationId.safeParse(id).success) return null;
  return (await row<IntegrationRow>(db, `SELECT * FROM inbound_integrations WHERE id = $1 ${lock}`, [id])) ?? null;
}

/**
 * Inside the caller's transaction: waits for any other request with the same receipt to commit (an
 * advisory lock on the pair, so two copies of one webhook arriving at once act once, and different
 * webhooks do not wait for each other), keeps the integration from being removed meanwhile, and
 * returns the submission an earlier request with this receipt made or regraded, or null.
 */
async function earlierSubmission(client: PgClient, receipt: InboundReceipt): Promise<Submission | null> {
  await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`inbound ${receipt.integrationId} ${receipt.webhookId}`]);
  if (!(await integrationRow(client, receipt.integrationId, 'FOR SHARE'))) {
    throw new UserError('E_NOT_FOUND', `inbound integration ${quote(receipt.integrationId)} does not exist`);
  }
  const found = await row<{ submission_id: string }>(client, 'SELECT submission_id FROM inbound_receipts WHERE integration_id = $1 AND webhook_id = $2',
    [receipt.integrationId, receipt.webhookId]);
  return found ? findSubmission(client, found.submission_id) : null;
}

async function addReceipt(client: PgClient, receipt: InboundReceipt, submissionId: string): Promise<void> {
  await client.query('INSERT INTO inbound_receipts (integration_id, webhook_id, submission_id, created_at) VALUES ($1, $2, $3, $4)',
    [receipt.integrationId, receipt.webhookId, submissionId, now()]);
}

export function inboundWebhookOperations(context: PgContext) {
  const { pool } = context;
  return {
    async createInboundIntegration(courseId, label) {
      await requireCourse(pool, courseId);
      const text = label === undefined ? null : checkText('integration label', label, 200);
      const id = newInboundIntegrationId();
      const secret = newWebhookSecret();
      await pool.query('INSERT INTO inbound_integrations (id, course_id, label, secret, created_at) VALUES ($1, $2, $3, $4, $5)', [id, courseId, text, secret, now()]);
      return { integration: toIntegration((await integrationRow(pool, id))!), secret };
    },

    async listInboundIntegrations(courseId) {
      await requireCourse(pool, courseId);
      return (await rows<IntegrationRow>(pool, 'SELECT * FROM inbound_integrations WHERE course_id = $1 ORDER BY created_at, id', [courseId])).map(toIntegration);
    },

    async findInboundIntegration(id) {
      const found = await integrationRow(pool, id);
      return found ? { ...toIntegration(found), secret: found.secret } : null;
    },

    /** Removes it with its receipts: what it sends from now on is refused. */
    async removeInboundIntegration(id) {
      await writeTransaction(pool, async (client) => {
        if (!(await integrationRow(client, id, 'FOR UPDATE'))) {
          throw new UserError('E_NOT_FOUND', `inbound integration ${quote(id)} does not exist; list them with gradebox webhooks inbound list --course C`);
        }
        await client.query('DELETE FROM inbound_receipts WHERE integration_id = $1', [id]);
        await client.query('DELETE FROM inbound_integrations WHERE id = $1', [id]);
      });
    },

    async createInboundSubmission(receipt, input): Promise<CreatedSubmission> {
      checkReceipt(receipt);
      const checked = await checkNewSubmission(context, input);
      return writeTransaction(pool, async (client) => {
        const earlier = await earlierSubmission(client, receipt);
        if (earlier) return { submission: earlier, created: false };
        const created = await insertCheckedSubmission(context, client, input, checked);
        await addReceipt(client, receipt, created.submission.id);
        return created;
      });
    },

    requestInboundRegrade(receipt, submissionId, requestId): Promise<CreatedSubmission> {
      checkReceipt(receipt);
      return writeTransaction(pool, async (client) => {
        const earlier = await earlierSubmission(client, receipt);
        if (earlier) return { submission: earlier, created: false };
        const submission = await regradeIn(context, client, submissionId, requestId);
        await addReceipt(client, receipt, submission.id);
        return { submission, created: true };
      });
    },
  } satisfies Partial<StoreOperations>;
}
