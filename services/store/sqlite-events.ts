// The event log of each submission (replayed to SSE clients): numbered 1, 2, 3 … per submission,
// written in the same transaction as the state change it reports.
import { UserError } from '../common/errors.js';
import { checkCount, checkLimit, jsonObjectText, quote } from './input-checks.js';
import { toEvent, type EventRow } from './rows.js';
import { now, writeTransaction } from './sqlite-connection.js';
import type { SqliteContext } from './sqlite-context.js';
import { requireGradeState } from './sqlite-grade-state.js';
import { addLtiScoreDelivery } from './sqlite-lti-scores.js';
import { addWebhookMessage } from './sqlite-webhook-messages.js';
import { EVENT_TYPES, type EventType, type StoreEvent } from './store.js';
import type { StoreOperations } from './store-operations.js';
import { eventGradeNumber, webhookTypeOf } from './webhook-event-types.js';

/** Appends an event (and its webhook message); inside a caller's transaction it becomes part of it. */
export function appendEvent({ db, options }: SqliteContext, submissionId: string, type: EventType, data: object): StoreEvent {
  if (!EVENT_TYPES.includes(type)) throw new UserError('E_BAD_INPUT', `event type ${quote(type)} is unknown; use one of ${EVENT_TYPES.join(', ')}`);
  const json = jsonObjectText('event data', data, options.maxJsonBytes);
  return writeTransaction(db, () => {
    const state = requireGradeState(db, submissionId);
    const seq = db.prepare('SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE submission_id = ?').pluck().get(submissionId) as number;
    const createdAt = now();
    db.prepare('INSERT INTO events (submission_id, seq, type, data_json, created_at) VALUES (?, ?, ?, ?, ?)').run(submissionId, seq, type, json, createdAt);
    const webhookType = webhookTypeOf(type);
    if (webhookType) addWebhookMessage(db, webhookType, { submissionId, gradeNumber: eventGradeNumber(data) ?? state.gradeNumber });
    addLtiScoreDelivery(db, submissionId, type, data as Record<string, unknown>);
    return { submissionId, seq, type, data: JSON.parse(json) as Record<string, unknown>, createdAt };
  });
}

export function eventOperations(context: SqliteContext) {
  const { db } = context;
  return {
    appendEvent: (submissionId, type, data) => appendEvent(context, submissionId, type, data),

    listEvents(submissionId, afterSeq = 0, limit) {
      checkCount('event sequence number', afterSeq, 0);
      requireGradeState(db, submissionId);
      return (db.prepare('SELECT * FROM events WHERE submission_id = ? AND seq > ? ORDER BY seq LIMIT ?')
        .all(submissionId, afterSeq, checkLimit(limit, 1000)) as EventRow[]).map(toEvent);
    },
  } satisfies Partial<StoreOperations>;
}
