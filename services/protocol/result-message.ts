// The messages a worker sends back to the API about one grading (POST /internal/v1/results), checked where they arrive.
import { z } from 'zod';

import { sha256Hex } from './digest.js';
import { firstIssue } from './first-issue.js';
import { VERDICTS, type GradeResult } from './grade-result.js';
import { gradeNumber, plainId } from './ids.js';
import { requestId } from './request-id.js';

/** A policy violation during grading, with the sha256 of its evidence archive (uploaded to the API). */
export const incidentRefSchema = z.strictObject({
  test: z.string(),
  syscall: z.string(),
  incidentId: z.string(),
  /** null when the sandbox kept no evidence archive. */
  evidenceSha256: sha256Hex.nullable(),
  /** The manifest of the archive (uploaded beside it), when there is one. */
  manifestSha256: sha256Hex.nullable().optional(),
  /** The worker's security audit log lines of the incident, as written there (`gradebox audit verify` on that host checks them). */
  audit: z.array(z.looseObject({ seq: z.int(), type: z.string(), hash: sha256Hex })).max(64).optional(),
});
export type IncidentRef = z.infer<typeof incidentRefSchema>;

/**
 * The grade as `gradeSubmission` made it. Only what the API relies on is checked and the rest passes
 * as it is, so the parsed value is typed as the full `GradeResult`.
 */
const gradeResultSchema = z.looseObject({
  score: z.number(),
  max_score: z.number(),
  verdict: z.enum(VERDICTS),
  gradable: z.boolean(),
  tests: z.array(z.looseObject({ name: z.string(), verdict: z.enum(VERDICTS).nullable() })),
  provenance: z.looseObject({ grader_digest: sha256Hex }),
}) as unknown as z.ZodType<GradeResult>;

/** Who made an attempt at a grading. */
const attemptSchema = z.strictObject({
  workerId: z.string().min(1).max(256),
  /** 1 for the first try; a retry after an internal failure or a recovered stalled job counts up. */
  attempt: z.int().min(1),
});
export type AttemptRef = z.infer<typeof attemptSchema>;

/** A test of a grading in progress, as a `test` event carries it (no output: the result brings it). */
export const testProgressSchema = z.strictObject({
  index: z.int().min(0),
  name: z.string().max(500),
  verdict: z.enum(VERDICTS),
  score: z.number(),
  max_score: z.number(),
  visibility: z.string().max(40),
  cpu_ms: z.number(),
  wall_ms: z.number(),
  memory_kb: z.number(),
});
export type TestProgress = z.infer<typeof testProgressSchema>;

/** What every message carries: the grading, and the id of the API request that asked for it (from its job), for the API's log. */
const gradingShape = { submissionId: plainId, gradeNumber, requestId: requestId.optional() };

export const resultMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('started'), ...gradingShape, ...attemptSchema.shape }),
  z.strictObject({
    type: z.literal('finished'), ...gradingShape,
    result: gradeResultSchema,
    incidents: z.array(incidentRefSchema),
    /** The attempt's start, when no `started` message was sent for it (the grading ended quickly). */
    started: attemptSchema.optional(),
  }),
  z.strictObject({
    type: z.literal('progress'), ...gradingShape,
    /** Tests done so far, of `total`. */
    done: z.int().min(0), total: z.int().min(0),
    /** The tests done since the last progress message. */
    tests: z.array(testProgressSchema).max(1000),
  }),
  z.strictObject({
    type: z.literal('failed'), ...gradingShape,
    /** Why no grade will come: for the student when it was their submission's fault, else for operators. */
    reason: z.string().min(1).max(4000),
    /** The student's own doing (e.g. no source file), not an internal failure. */
    userError: z.boolean(),
    /** The user error's code, e.g. `E_SUBMISSION_NO_SOURCE`: the API shows students only the messages of codes it knows to be theirs. */
    code: z.string().regex(/^E_[A-Z0-9_]{1,64}$/).optional(),
  }),
]);

export type ResultMessage = z.infer<typeof resultMessageSchema>;

/** The message if `data` is one; otherwise the first problem found, for the sender to read. */
export function checkResultMessage(data: unknown): { message: ResultMessage } | { problem: string } {
  const parsed = resultMessageSchema.safeParse(data);
  return parsed.success ? { message: parsed.data } : { problem: `result message is invalid: ${firstIssue(parsed.error)}` };
}
