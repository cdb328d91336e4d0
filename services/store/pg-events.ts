// The event log of each submission (replayed to SSE clients): numbered 1, 2, 3 … per submission,
// written in the same transaction as the state change it reports.
import { UserError } from '../common/errors.js';
import { checkCount, checkLimit, jsonObjectText, quote } from './input-checks.js';
import { toEvent, type EventRow } from './rows.js';
import { now, row, rows, writeTransaction, type PgClient } from './pg-connection.js';
import type { PgContext } from './pg-context.js';
import { requireGradeState } from './pg-grade-state.js';
import { addLtiScoreDelivery } from './pg-lti-scores.js';
import { addWebhookMessage } from './pg-webhook-messages.js';
import { EVENT_TYPES, type EventType, type StoreEvent } from './store.js';
import type { StoreOperations } from './store-operations.js';
import { eventGradeNumber, webhookTypeOf } from './webhook-event-types.js';

/** The event as JSON text, checked; before any transaction starts. */
export function eventText({ options }: PgContext, type: EventType, data: object): string {
  if (!EVENT_TYPES.includes(type)) throw new UserError('E_BAD_INPUT', `event type ${quote(type)} is unknown; use one of ${EVENT_TYPES.join(', ')}`);
  return jsonObjectText('event data', data, options.maxJsonBytes);
}

/**
 * Appends an event (and its webhook message) inside the caller's transaction, which holds the
 * submission's row lock (so the next sequence number is this one's alone).
 */
export async function insertEvent(client: PgClient, submissionId: string, type: EventType, json: string): Promise<StoreEvent> {
  const { seq } = (await row<{ seq: number }>(client, 'SELECT COALESCE(MAX(seq), 0) + 1 AS seq FROM events WHERE submission_id = $1', [submissionId]))!;
  const createdAt = now();
  await client.query('INSERT INTO events (submission_id, seq, type, data_json, created_at) VALUES ($1, $2, $3, $4, $5)', [submissionId, seq, type, json, createdAt]);
  const data = JSON.parse(json) as Record<string, unknown>;
  const webhookType = webhookTypeOf(type);
  if (webhookType) await addWebhookMessage(client, webhookType, { submissionId, gradeNumber: eventGradeNumber(data) });
  await addLtiScoreDelivery(client, submissionId, type, data);
  return { submissionId, seq, type, data, createdAt };
}

export function eventOperations(context: PgContext) {
  const { pool } = context;
  return {
    appendEvent(submissionId, type, data) {
      const json = eventText(context, type, data);
      return writeTransaction(pool, async (client) => {
        await requireGradeState(client, submissionId, true);
        return insertEvent(client, submissionId, type, json);
      });
    },

    async listEvents(submissionId, afterSeq = 0, limit) {
      checkCount('event sequence number', afterSeq, 0);
      await requireGradeState(pool, submissionId);
      return (await rows<EventRow>(pool, 'SELECT * FROM events WHERE submission_id = $1 AND seq > $2 ORDER BY seq LIMIT $3',
        [submissionId, afterSeq, checkLimit(limit, 1000)])).map(toEvent);
    },
  } satisfies Partial<StoreOperations>;
}
