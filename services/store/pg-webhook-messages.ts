// Webhook messages in PostgreSQL: written inside the transaction of the event they report (so an
// event committed is an event sent, whatever crashes after), with one delivery per endpoint of the
// course that is enabled and subscribed; then handed to the queue by the relay, like the grading
// outbox. The relays of several API processes may hand the same delivery over: the queue keeps one.
import { UserError } from '../common/errors.js';
import type { WebhookEventType } from '../protocol/webhook-events.js';
import { newWebhookMessageId } from '../protocol/webhook-ids.js';
import { checkCount, quote } from './input-checks.js';
import { now, relaxedWrite, row, rows, type PgClient } from './pg-connection.js';
import type { PgContext } from './pg-context.js';
import type { StoreOperations } from './store-operations.js';
import { checkPayload } from './webhook-checks.js';
import { subscribes, toMessage, type MessageRow } from './webhook-rows.js';

/** What an event is about; without a grade number, the submission's latest grading. */
export interface MessageSubject {
  submissionId: string;
  gradeNumber: number | null;
  incidentId?: number;
}

/**
 * Called inside the transaction of the event: a message and its deliveries, or nothing when no
 * endpoint of the course wants it (a course without webhooks pays one indexed read).
 */
export async function addWebhookMessage(client: PgClient, type: WebhookEventType, subject: MessageSubject): Promise<void> {
  const submission = await row<{ course_id: string; grade_number: number }>(client, 'SELECT course_id, grade_number FROM submissions WHERE id = $1', [subject.submissionId]);
  if (!submission) return;
  const candidates = await rows<{ id: string; event_types: string | null }>(client,
    'SELECT id, event_types FROM webhook_endpoints WHERE course_id = $1 AND disabled_at IS NULL', [submission.course_id]);
  const endpoints = candidates.filter((e) => subscribes(e.event_types, type)).map((e) => e.id);
  if (endpoints.length === 0) return;
  const id = newWebhookMessageId();
  const at = now();
  await client.query(`INSERT INTO webhook_messages (id, course_id, type, submission_id, grade_number, incident_id, created_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7)`, [id, submission.course_id, type, subject.submissionId, subject.gradeNumber ?? submission.grade_number, subject.incidentId ?? null, at]);
  await client.query(`INSERT INTO webhook_deliveries (message_id, endpoint_id, round, relayed, state, attempts, created_at, updated_at)
    SELECT $1, endpoint, 1, 0, 'pending', 0, $2::timestamptz, $2::timestamptz FROM unnest($3::text[]) AS endpoint`, [id, at, endpoints]);
}

export function webhookMessageOperations({ pool }: PgContext) {
  return {
    async pendingWebhookDeliveries(limit) {
      checkCount('delivery limit', limit, 1);
      const found = await rows<MessageRow & { delivery_id: number; round: number }>(pool, `SELECT d.id AS delivery_id, d.round, m.* FROM webhook_deliveries d
        JOIN webhook_messages m ON m.id = d.message_id WHERE d.relayed = 0 ORDER BY d.id LIMIT $1`, [limit]);
      return found.map((r) => ({ deliveryId: r.delivery_id, round: r.round, message: toMessage(r) }));
    },

    async setWebhookPayload(messageId, payload) {
      const text = checkPayload(payload);
      await pool.query('UPDATE webhook_messages SET payload = $1 WHERE id = $2 AND payload IS NULL', [text, String(messageId)]);
      const kept = await row<{ payload: string }>(pool, 'SELECT payload FROM webhook_messages WHERE id = $1', [String(messageId)]);
      if (kept === undefined) throw new UserError('E_NOT_FOUND', `webhook message ${quote(messageId)} does not exist`);
      return kept.payload;
    },

    /** Not synced on its own: lost in a crash, the delivery is relayed again and the queue ignores a job it has. */
    async markWebhookDeliveryRelayed(deliveryId, round) {
      checkCount('delivery id', deliveryId, 1);
      await relaxedWrite(pool, (client) => client.query('UPDATE webhook_deliveries SET relayed = 1 WHERE id = $1 AND round = $2', [deliveryId, round]));
    },
  } satisfies Partial<StoreOperations>;
}
