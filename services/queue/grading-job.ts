// The grading job payload: what the API puts on the queue and a worker accepts, checked on both sides.
import { z } from 'zod';

import { UserError } from '../common/errors.js';

/**
 * Ids travel in URLs, Redis keys and folder names, so they are plain: letters, digits, `_` and
 * `-` (no `.` or `/`, so no path tricks, and no `:`, which BullMQ reserves in job ids).
 */
const PLAIN_ID = /^[A-Za-z0-9_-]{1,128}$/;

export const plainId = z.string().regex(PLAIN_ID, 'must be 1 to 128 letters, digits, "_" or "-"');
export const gradeNumber = z.int().min(1).max(1_000_000_000);

export const gradingJobSchema = z.strictObject({
  submissionId: plainId,
  /** Which grading of the submission this is: 1 for the first, 2 for its first regrade, … */
  gradeNumber,
  courseId: plainId,
  /** sha256 of the grader definition (its `digest`), so a worker grades exactly what was asked. */
  graderDigest: z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 digest: 64 lowercase hex digits'),
  kind: z.enum(['grade', 'regrade']),
  /** When the API enqueued it (ISO 8601, UTC), for queue-latency metrics. */
  enqueuedAt: z.iso.datetime(),
});

export type GradingJob = z.infer<typeof gradingJobSchema>;

/** The first problem of a failed parse, naming the field: `gradeNumber: must be …`. */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const path = issue.path.length ? issue.path.join('.') : '(payload)';
  return `${path}: ${issue.message}`;
}

/** The payload, checked; a bad one is a `UserError` (E_JOB_PAYLOAD) naming the field. */
export function parseGradingJob(data: unknown): GradingJob {
  const parsed = gradingJobSchema.safeParse(data);
  if (!parsed.success) throw new UserError('E_JOB_PAYLOAD', `grading job payload is invalid: ${firstIssue(parsed.error)}; send { submissionId, gradeNumber, courseId, graderDigest, kind, enqueuedAt } as documented in services/queue/grading-job.ts`);
  return parsed.data;
}

/**
 * The BullMQ job id of a grading: one per (submission, grade number), so the outbox relay may send
 * the same job again safely. (`.` rather than `:` because BullMQ refuses a `:` in custom ids.)
 */
export function gradingJobId(job: Pick<GradingJob, 'submissionId' | 'gradeNumber'>): string {
  return `${job.submissionId}.${job.gradeNumber}`;
}
