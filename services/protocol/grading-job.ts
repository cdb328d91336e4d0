// The grading job payload: what the API puts on the queue and a worker accepts, checked on both sides.
import { z } from 'zod';

import { UserError } from '../common/errors.js';
import { sha256Hex } from './digest.js';
import { firstIssue } from './first-issue.js';
import { gradeNumber, plainId } from './ids.js';
import { requestId } from './request-id.js';

/**
 * A small submission travels inside its job, so a worker grades it without asking the API for its
 * files (one round trip and one tar less per grading). Bigger ones are fetched over HTTP. The cap
 * also bounds what completed jobs keep in Redis.
 */
export const INLINE_FILES_MAX_BYTES = 16 * 1024;

/** One file carried in the job: its normalized relative path, its sha256 and its bytes in base64. */
export const inlineFileSchema = z.strictObject({
  path: z.string().min(1).max(4096),
  sha256: sha256Hex,
  base64: z.base64(),
});

export type InlineFile = z.infer<typeof inlineFileSchema>;

/** The decoded size of a base64 text, without decoding it. */
function decodedBytes(base64: string): number {
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  return (base64.length / 4) * 3 - padding;
}

const inlineFilesSchema = z.array(inlineFileSchema).min(1).max(1000).refine(
  (files) => files.reduce((sum, f) => sum + decodedBytes(f.base64), 0) <= INLINE_FILES_MAX_BYTES,
  `must hold at most ${INLINE_FILES_MAX_BYTES} bytes in all; send bigger submissions without files (workers fetch them)`,
);

export const gradingJobSchema = z.strictObject({
  submissionId: plainId,
  /** Which grading of the submission this is: 1 for the first, 2 for its first regrade, … */
  gradeNumber,
  courseId: plainId,
  /** sha256 of the grader definition (its `digest`), so a worker grades exactly what was asked. */
  graderDigest: sha256Hex,
  kind: z.enum(['grade', 'regrade']),
  /** When the API enqueued it (ISO 8601, UTC), for queue-latency metrics. */
  enqueuedAt: z.iso.datetime(),
  /** The submission's files when they are small (see {@link INLINE_FILES_MAX_BYTES}); absent: fetch them. */
  files: inlineFilesSchema.optional(),
  /** The file the submission's program starts from, as its upload named it; absent: none named. */
  entry: z.string().min(1).max(4096).optional(),
  /** The id of the API request that asked for this grading, for the worker's log lines; absent in jobs queued before ids were kept. */
  requestId: requestId.optional(),
});

export type GradingJob = z.infer<typeof gradingJobSchema>;

/** The grading a payload names, read even when the rest of it is invalid, so that its failure can be reported. */
export const gradingIdsSchema = z.object({ submissionId: plainId, gradeNumber });

/** The payload, checked; a bad one is a `UserError` (E_JOB_PAYLOAD) naming the field. */
export function parseGradingJob(data: unknown): GradingJob {
  const parsed = gradingJobSchema.safeParse(data);
  if (!parsed.success) throw new UserError('E_JOB_PAYLOAD', `grading job payload is invalid: ${firstIssue(parsed.error)}; send { submissionId, gradeNumber, courseId, graderDigest, kind, enqueuedAt, files?, entry?, requestId? } as documented in services/protocol/grading-job.ts`);
  return parsed.data;
}

/**
 * The BullMQ job id of a grading: one per (submission, grade number), so the outbox relay may send
 * the same job again safely. (`.` rather than `:` because BullMQ refuses a `:` in custom ids.)
 */
export function gradingJobId(job: Pick<GradingJob, 'submissionId' | 'gradeNumber'>): string {
  return `${job.submissionId}.${job.gradeNumber}`;
}
