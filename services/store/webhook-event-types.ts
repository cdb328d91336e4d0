// Which webhook each event of a submission's progress becomes, the same for every backend: the
// event and its message are written in one transaction by each backend's event append.
import type { WebhookEventType } from '../protocol/webhook-events.js';
import type { EventType } from './store.js';

/** `running` and `test` events become no webhook. */
const WEBHOOK_TYPE_OF: Partial<Record<EventType, WebhookEventType>> = { queued: 'submission.queued', graded: 'submission.graded', error: 'submission.error' };

/** The webhook an event becomes, or null. */
export function webhookTypeOf(type: EventType): WebhookEventType | null {
  return WEBHOOK_TYPE_OF[type] ?? null;
}

/** The grading an event's data names (its `gradeNumber`), or null when it names none. */
export function eventGradeNumber(data: object): number | null {
  const gradeNumber = (data as { gradeNumber?: unknown }).gradeNumber;
  return typeof gradeNumber === 'number' && Number.isSafeInteger(gradeNumber) && gradeNumber >= 1 ? gradeNumber : null;
}
