// Webhook messages in SQLite: written inside the transaction of the event they report (so an event
// committed is an event sent, whatever crashes after), with one delivery per endpoint of the course
// that is enabled and subscribed; then handed to the queue by the relay, like the grading outbox.
import { UserError } from '../common/errors.js';
import type { WebhookEventType } from '../protocol/webhook-events.js';
import { newWebhookMessageId } from '../protocol/webhook-ids.js';
import { checkCount, quote } from './input-checks.js';
import { now, relaxedWrite, type SqliteDatabase } from './sqlite-connection.js';
import type { SqliteContext } from './sqlite-context.js';
import type { StoreOperations } from './store-operations.js';
import { checkPayload } from './webhook-checks.js';
import { subscribes, toMessage, type MessageRow } from './webhook-rows.js';

/** What an event is about. */
export interface MessageSubject {
  submissionId: string;
  gradeNumber: number;
  incidentId?: number;
}

/** The endpoints of the course that get `type` now. */
function subscribedEndpoints(db: SqliteDatabase, courseId: string, type: WebhookEventType): string[] {
  const rows = db.prepare('SELECT id, event_types FROM webhook_endpoints WHERE course_id = ? AND disabled_at IS NULL')
    .all(courseId) as Array<{ id: string; event_types: string | null }>;
  return rows.filter((r) => subscribes(r.event_types, type)).map((r) => r.id);
}

/**
 * Called inside the transaction of the event: a message and its deliveries, or nothing when no
 * endpoint of the course wants it (a course without webhooks pays one indexed read).
 */
export function addWebhookMessage(db: SqliteDatabase, type: WebhookEventType, subject: MessageSubject): void {
  const courseId = db.prepare('SELECT course_id FROM submissions WHERE id = ?').pluck().get(subject.submissionId) as string | undefined;
  if (courseId === undefined) return;
  const endpoints = subscribedEndpoints(db, courseId, type);
  if (endpoints.length === 0) return;
  const id = newWebhookMessageId();
  const at = now();
  db.prepare(`INSERT INTO webhook_messages (id, course_id, type, submission_id, grade_number, incident_id, created_at)
    VALUES (?, ?, ?, ?, ?, ?, ?)`).run(id, courseId, type, subject.submissionId, subject.gradeNumber, subject.incidentId ?? null, at);
  const addDelivery = db.prepare(`INSERT INTO webhook_deliveries (message_id, endpoint_id, round, relayed, state, attempts, created_at, updated_at)
    VALUES (?, ?, 1, 0, 'pending', 0, ?, ?)`);
  for (const endpoint of endpoints) addDelivery.run(id, endpoint, at, at);
}

export function webhookMessageOperations({ db }: SqliteContext) {
  return {
    pendingWebhookDeliveries(limit) {
      checkCount('delivery limit', limit, 1);
      const rows = db.prepare(`SELECT d.id AS delivery_id, d.round, m.* FROM webhook_deliveries d
        JOIN webhook_messages m ON m.id = d.message_id WHERE d.relayed = 0 ORDER BY d.id LIMIT ?`).all(limit) as Array<MessageRow & { delivery_id: number; round: number }>;
      return rows.map((row) => ({ deliveryId: row.delivery_id, round: row.round, message: toMessage(row) }));
    },

    setWebhookPayload(messageId, payload) {
      db.prepare('UPDATE webhook_messages SET payload = ? WHERE id = ? AND payload IS NULL').run(checkPayload(payload), String(messageId));
      const kept = db.prepare('SELECT payload FROM webhook_messages WHERE id = ?').pluck().get(String(messageId)) as string | undefined;
      if (kept === undefined) throw new UserError('E_NOT_FOUND', `webhook message ${quote(messageId)} does not exist`);
      return kept;
    },

    /** Not synced on its own: lost in a power cut, the delivery is relayed again and the queue ignores a job it has. */
    markWebhookDeliveryRelayed(deliveryId, round) {
      checkCount('delivery id', deliveryId, 1);
      relaxedWrite(db, () => db.prepare('UPDATE webhook_deliveries SET relayed = 1 WHERE id = ? AND round = ?').run(deliveryId, round));
    },
  } satisfies Partial<StoreOperations>;
}
