// Webhook deliveries in PostgreSQL: what the sender reads before an attempt, the log of every attempt
// (the endpoint's delivery log), and manual redelivery. Each attempt and the delivery's new state
// are written together, the delivery's row locked; an attempt of a round that is over (redelivered
// meanwhile) writes nothing.
import { UserError } from '../common/errors.js';
import { checkCount, checkLimit, quote } from './input-checks.js';
import { now, row, rows, writeTransaction, type PgClient, type Queryable } from './pg-connection.js';
import type { PgContext } from './pg-context.js';
import { endpointRow } from './pg-webhook-endpoints.js';
import type { StoreOperations } from './store-operations.js';
import { checkAttempt, MAX_ERROR_CHARS, stateAfter } from './webhook-checks.js';
import { signingSecrets, toAttempt, toEndpoint, toMessage, type AttemptRow, type DeliveryRow, type MessageRow } from './webhook-rows.js';
import type { WebhookAttemptInput, WebhookDelivery } from './webhook-store.js';

async function deliveryRow(db: Queryable, id: number, lock = false): Promise<DeliveryRow | null> {
  return (await row<DeliveryRow>(db, `SELECT * FROM webhook_deliveries WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id])) ?? null;
}

async function messageRow(db: Queryable, id: string): Promise<MessageRow> {
  return (await row<MessageRow>(db, 'SELECT * FROM webhook_messages WHERE id = $1', [id]))!;
}

async function toDelivery(db: Queryable, delivery: DeliveryRow): Promise<WebhookDelivery> {
  const attempts = (await rows<AttemptRow>(db, 'SELECT * FROM webhook_attempts WHERE delivery_id = $1 ORDER BY attempt', [delivery.id])).map(toAttempt);
  return {
    messageId: delivery.message_id, type: (await messageRow(db, delivery.message_id)).type, state: delivery.state, nextAttemptAt: delivery.next_attempt_at,
    createdAt: delivery.created_at, updatedAt: delivery.updated_at, attempts,
  };
}

/** The endpoint after an attempt: a delivery ends its failing streak, a failure starts one (or disables it). */
async function updateEndpoint(client: PgClient, endpointId: string, input: WebhookAttemptInput, at: string): Promise<void> {
  if (input.outcome === 'delivered') {
    await client.query('UPDATE webhook_endpoints SET failing_since = NULL WHERE id = $1 AND failing_since IS NOT NULL', [endpointId]);
    return;
  }
  await client.query('UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, $1) WHERE id = $2', [input.startedAt, endpointId]);
  if (input.disableEndpoint !== undefined) {
    await client.query('UPDATE webhook_endpoints SET disabled_at = COALESCE(disabled_at, $1), disabled_reason = COALESCE(disabled_reason, $2), updated_at = $1 WHERE id = $3',
      [at, input.disableEndpoint.slice(0, MAX_ERROR_CHARS), endpointId]);
  }
}

export function webhookDeliveryOperations({ pool }: PgContext) {
  return {
    async webhookDeliveryToSend(deliveryId) {
      checkCount('delivery id', deliveryId, 1);
      const delivery = await deliveryRow(pool, deliveryId);
      const endpoint = delivery && await endpointRow(pool, delivery.endpoint_id);
      if (!delivery || !endpoint) return null;
      return {
        deliveryId, round: delivery.round, state: delivery.state, message: toMessage(await messageRow(pool, delivery.message_id)),
        endpoint: toEndpoint(endpoint), signingSecrets: signingSecrets(endpoint),
      };
    },

    recordWebhookAttempt(deliveryId, round, input) {
      checkCount('delivery id', deliveryId, 1);
      checkAttempt(input);
      return writeTransaction(pool, async (client) => {
        const delivery = await deliveryRow(client, deliveryId, true);
        if (!delivery || delivery.round !== round || delivery.state !== 'pending') return false;
        const at = now();
        const attempt = delivery.attempts + 1;
        await client.query('INSERT INTO webhook_attempts (delivery_id, attempt, started_at, status, latency_ms, error, outcome) VALUES ($1, $2, $3, $4, $5, $6, $7)',
          [deliveryId, attempt, input.startedAt, input.status, input.latencyMs, input.error?.slice(0, MAX_ERROR_CHARS) ?? null, input.outcome]);
        await client.query('UPDATE webhook_deliveries SET attempts = $1, state = $2, next_attempt_at = $3, updated_at = $4 WHERE id = $5',
          [attempt, stateAfter(input.outcome), input.outcome === 'retry' ? input.nextAttemptAt ?? null : null, at, deliveryId]);
        await updateEndpoint(client, delivery.endpoint_id, input, at);
        return true;
      });
    },

    async listWebhookDeliveries(endpointId, limit) {
      const found = await rows<DeliveryRow>(pool, 'SELECT * FROM webhook_deliveries WHERE endpoint_id = $1 ORDER BY id DESC LIMIT $2',
        [String(endpointId), checkLimit(limit, 50, 200)]);
      return Promise.all(found.map((delivery) => toDelivery(pool, delivery)));
    },

    redeliverWebhook(endpointId, messageId) {
      return writeTransaction(pool, async (client) => {
        const found = await row<DeliveryRow>(client, 'SELECT * FROM webhook_deliveries WHERE endpoint_id = $1 AND message_id = $2 FOR UPDATE', [String(endpointId), String(messageId)]);
        if (!found) throw new UserError('E_NOT_FOUND', `endpoint ${quote(endpointId)} has no delivery of message ${quote(messageId)}; see its delivery log`);
        await client.query("UPDATE webhook_deliveries SET round = round + 1, relayed = 0, state = 'pending', next_attempt_at = NULL, updated_at = $1 WHERE id = $2", [now(), found.id]);
        return toDelivery(client, (await deliveryRow(client, found.id))!);
      });
    },
  } satisfies Partial<StoreOperations>;
}
