// Webhook deliveries in SQLite: what the sender reads before an attempt, the log of every attempt
// (the endpoint's delivery log), and manual redelivery. Each attempt and the delivery's new state
// are written together; an attempt of a round that is over (redelivered meanwhile) writes nothing.
import { UserError } from '../common/errors.js';
import { checkCount, checkLimit, quote } from './input-checks.js';
import { now, writeTransaction, type SqliteDatabase } from './sqlite-connection.js';
import type { SqliteContext } from './sqlite-context.js';
import { endpointRow } from './sqlite-webhook-endpoints.js';
import type { StoreOperations } from './store-operations.js';
import { checkAttempt, MAX_ERROR_CHARS, stateAfter } from './webhook-checks.js';
import { signingSecrets, toAttempt, toEndpoint, toMessage, type AttemptRow, type DeliveryRow, type MessageRow } from './webhook-rows.js';
import type { WebhookAttemptInput, WebhookDelivery } from './webhook-store.js';

function deliveryRow(db: SqliteDatabase, id: number): DeliveryRow | null {
  return (db.prepare('SELECT * FROM webhook_deliveries WHERE id = ?').get(id) as DeliveryRow | undefined) ?? null;
}

function messageRow(db: SqliteDatabase, id: string): MessageRow {
  return db.prepare('SELECT * FROM webhook_messages WHERE id = ?').get(id) as MessageRow;
}

function toDelivery(db: SqliteDatabase, row: DeliveryRow): WebhookDelivery {
  const attempts = (db.prepare('SELECT * FROM webhook_attempts WHERE delivery_id = ? ORDER BY attempt').all(row.id) as AttemptRow[]).map(toAttempt);
  return {
    messageId: row.message_id, type: messageRow(db, row.message_id).type, state: row.state, nextAttemptAt: row.next_attempt_at,
    createdAt: row.created_at, updatedAt: row.updated_at, attempts,
  };
}

/** The endpoint after an attempt: a delivery ends its failing streak, a failure starts one (or disables it). */
function updateEndpoint(db: SqliteDatabase, endpointId: string, input: WebhookAttemptInput, at: string): void {
  if (input.outcome === 'delivered') {
    db.prepare('UPDATE webhook_endpoints SET failing_since = NULL WHERE id = ? AND failing_since IS NOT NULL').run(endpointId);
    return;
  }
  db.prepare('UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, ?) WHERE id = ?').run(input.startedAt, endpointId);
  if (input.disableEndpoint !== undefined) {
    db.prepare('UPDATE webhook_endpoints SET disabled_at = COALESCE(disabled_at, ?), disabled_reason = COALESCE(disabled_reason, ?), updated_at = ? WHERE id = ?')
      .run(at, input.disableEndpoint.slice(0, MAX_ERROR_CHARS), at, endpointId);
  }
}

export function webhookDeliveryOperations({ db }: SqliteContext) {
  return {
    webhookDeliveryToSend(deliveryId) {
      checkCount('delivery id', deliveryId, 1);
      const delivery = deliveryRow(db, deliveryId);
      const endpoint = delivery && endpointRow(db, delivery.endpoint_id);
      if (!delivery || !endpoint) return null;
      return {
        deliveryId, round: delivery.round, state: delivery.state, message: toMessage(messageRow(db, delivery.message_id)),
        endpoint: toEndpoint(endpoint), signingSecrets: signingSecrets(endpoint),
      };
    },

    recordWebhookAttempt(deliveryId, round, input) {
      checkCount('delivery id', deliveryId, 1);
      checkAttempt(input);
      return writeTransaction(db, () => {
        const delivery = deliveryRow(db, deliveryId);
        if (!delivery || delivery.round !== round || delivery.state !== 'pending') return false;
        const at = now();
        const attempt = delivery.attempts + 1;
        db.prepare(`INSERT INTO webhook_attempts (delivery_id, attempt, started_at, status, latency_ms, error, outcome) VALUES (?, ?, ?, ?, ?, ?, ?)`)
          .run(deliveryId, attempt, input.startedAt, input.status, input.latencyMs, input.error?.slice(0, MAX_ERROR_CHARS) ?? null, input.outcome);
        db.prepare('UPDATE webhook_deliveries SET attempts = ?, state = ?, next_attempt_at = ?, updated_at = ? WHERE id = ?')
          .run(attempt, stateAfter(input.outcome), input.outcome === 'retry' ? input.nextAttemptAt ?? null : null, at, deliveryId);
        updateEndpoint(db, delivery.endpoint_id, input, at);
        return true;
      });
    },

    listWebhookDeliveries(endpointId, limit) {
      const rows = db.prepare('SELECT * FROM webhook_deliveries WHERE endpoint_id = ? ORDER BY id DESC LIMIT ?')
        .all(String(endpointId), checkLimit(limit, 50, 200)) as DeliveryRow[];
      return rows.map((row) => toDelivery(db, row));
    },

    redeliverWebhook(endpointId, messageId) {
      return writeTransaction(db, () => {
        const row = db.prepare('SELECT * FROM webhook_deliveries WHERE endpoint_id = ? AND message_id = ?').get(String(endpointId), String(messageId)) as DeliveryRow | undefined;
        if (!row) throw new UserError('E_NOT_FOUND', `endpoint ${quote(endpointId)} has no delivery of message ${quote(messageId)}; see its delivery log`);
        db.prepare("UPDATE webhook_deliveries SET round = round + 1, relayed = 0, state = 'pending', next_attempt_at = NULL, updated_at = ? WHERE id = ?").run(now(), row.id);
        return toDelivery(db, deliveryRow(db, row.id)!);
      });
    },
  } satisfies Partial<StoreOperations>;
}
