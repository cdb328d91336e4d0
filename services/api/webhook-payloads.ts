// The payloads of a course's webhooks, made from the store's state when a message is first relayed
// and kept: thin (ids, the outcome, a link), and showing what a student may see, decided by the same
// code as the submission's event stream (student-submission.ts), so nothing withheld leaks.
import { InternalError } from '../common/errors.js';
import { apiRoutes } from '../protocol/api-routes.js';
import type { Verdict } from '../protocol/grade-result.js';
import { pathOf } from '../protocol/http-route.js';
import type { WebhookPayload } from '../protocol/webhook-events.js';
import type { EventType, Store, StoreEvent, Submission } from '../store/store.js';
import type { WebhookMessage } from '../store/webhook-store.js';
import type { PayloadBuilder } from '../webhooks/webhook-relay.js';
import { gradingReference } from './student-failure.js';
import { studentEventData } from './student-submission.js';

/** The stored event of that type and grading: the one the message was written with. */
async function eventOf(store: Store, message: WebhookMessage, type: EventType): Promise<StoreEvent> {
  const event = (await store.listEvents(message.submissionId!)).find((e) => e.type === type && e.data.gradeNumber === message.gradeNumber);
  if (!event) throw new InternalError('E_WEBHOOK_PAYLOAD', `submission ${message.submissionId} has no ${type} event of grading ${message.gradeNumber}`);
  return event;
}

async function incidentSyscall(store: Store, message: WebhookMessage): Promise<string> {
  const incident = (await store.listIncidents({ submissionId: message.submissionId!, limit: 1000 })).find((i) => i.id === message.incidentId);
  if (!incident) throw new InternalError('E_WEBHOOK_PAYLOAD', `incident ${message.incidentId} of submission ${message.submissionId} is not stored`);
  return incident.syscall;
}

async function payloadOf(store: Store, message: WebhookMessage, submission: Submission, url: string): Promise<WebhookPayload> {
  const gradeNumber = message.gradeNumber!;
  const timestamp = message.createdAt;
  const base = { id: submission.id, assignment: submission.assignmentName, student: submission.student, grade_number: gradeNumber, url };
  switch (message.type) {
    case 'submission.queued':
      return { type: message.type, timestamp, data: { ...base, kind: gradeNumber === 1 ? 'grade' : 'regrade' } };
    case 'submission.graded': {
      const shown = await studentEventData(store, submission, await eventOf(store, message, 'graded'));
      const withheld = (shown.withheld as { after_due_date: number; after_published: number } | undefined) ?? { after_due_date: 0, after_published: 0 };
      return {
        type: message.type, timestamp,
        data: { ...base, verdict: shown.verdict as Verdict | null, score: shown.score as number | null, max_score: shown.maxScore as number | null, gradable: shown.gradable as boolean | null, withheld },
      };
    }
    case 'submission.error': {
      const shown = await studentEventData(store, submission, await eventOf(store, message, 'error'));
      return { type: message.type, timestamp, data: { ...base, message: String(shown.message), reference: String(shown.reference) } };
    }
    case 'incident.opened':
      return {
        type: message.type, timestamp,
        data: { ...base, incident: message.incidentId!, syscall: await incidentSyscall(store, message), reference: gradingReference(submission.id, gradeNumber) },
      };
  }
}

/** Payloads whose links start with `publicUrl` (the API as portals reach it). */
export function webhookPayloadBuilder(store: Store, publicUrl: string): PayloadBuilder {
  const base = publicUrl.replace(/\/+$/, '');
  return async (message) => {
    const submission = message.submissionId ? await store.getSubmission(message.submissionId) : null;
    if (!submission) throw new InternalError('E_WEBHOOK_PAYLOAD', `webhook message ${message.id} names no stored submission`);
    return payloadOf(store, message, submission, `${base}${pathOf(apiRoutes.submission, { id: submission.id })}`);
  };
}
