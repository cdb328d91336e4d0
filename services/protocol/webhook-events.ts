// The events gradebox sends a course's webhook endpoints (Standard Webhooks 1.0): their types and
// payloads. Payloads are thin (ids, the outcome, a link), well under 20 kB, and show only what a
// student may see: the link is the student-visible submission, the score as the student sees it.
import { z } from 'zod';

import { VERDICTS } from './grade-result.js';
import { gradeNumber, submissionId } from './ids.js';

export const WEBHOOK_EVENT_TYPES = ['submission.queued', 'submission.graded', 'submission.error', 'incident.opened'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export const webhookEventType = z.enum(WEBHOOK_EVENT_TYPES);

/** The largest payload sent: the Standard Webhooks recommendation. */
export const MAX_WEBHOOK_PAYLOAD_BYTES = 20 * 1024;

const submissionFields = {
  id: submissionId,
  assignment: z.string(),
  student: z.string(),
  grade_number: gradeNumber.describe('Which grading: 1 for the first, 2 after the first regrade, …'),
  url: z.string().describe('The submission as the student may see it: GET with the course key'),
};

const queuedData = z.object({ ...submissionFields, kind: z.enum(['grade', 'regrade']) });

const gradedData = z.object({
  ...submissionFields,
  verdict: z.enum(VERDICTS).nullable().describe('Null while tests are withheld from students'),
  score: z.number().nullable().describe('Null while tests are withheld from students'),
  max_score: z.number().nullable(),
  gradable: z.boolean().nullable().describe('False when the grading service failed (not the student\'s doing)'),
  withheld: z.object({ after_due_date: z.int().min(0), after_published: z.int().min(0) })
    .describe('Tests withheld from students when the event was sent; read the url again once the due date passes or feedback is released'),
});

const errorData = z.object({
  ...submissionFields,
  message: z.string().describe('What the student may be told: their own mistake, or a sentence saying it was not theirs'),
  reference: z.string().describe('Under which operators find the failure\'s detail: `<submission>.<grade number>`'),
});

const incidentData = z.object({
  ...submissionFields,
  incident: z.int().describe('The incident\'s number, for operators'),
  syscall: z.string().describe('The system call outside the sandbox\'s policy'),
  reference: z.string(),
});

function envelope<T extends WebhookEventType>(type: T, data: z.ZodType) {
  return z.object({
    type: z.literal(type),
    timestamp: z.iso.datetime().describe('When the event happened (webhook-timestamp says when this attempt was made)'),
    data,
  });
}

/** Each event type's payload, as sent. */
export const webhookEventPayloads = {
  'submission.queued': envelope('submission.queued', queuedData),
  'submission.graded': envelope('submission.graded', gradedData),
  'submission.error': envelope('submission.error', errorData),
  'incident.opened': envelope('incident.opened', incidentData),
} satisfies Record<WebhookEventType, z.ZodType>;

export type WebhookPayload = {
  [T in WebhookEventType]: z.infer<(typeof webhookEventPayloads)[T]>;
}[WebhookEventType];

/** What each event says, for the OpenAPI document. */
export const WEBHOOK_EVENT_SUMMARIES: Record<WebhookEventType, string> = {
  'submission.queued': 'A submission (or a regrade of it) was stored and queued for grading',
  'submission.graded': 'A grading ended with a result: verdict, score and maximum as the student may see them',
  'submission.error': 'A grading failed for good: the message the student may see and a reference',
  'incident.opened': 'A submission made a system call outside its sandbox\'s policy (a security incident)',
};
