// Which failures of a grading are retried: internal ones, a bounded number of times; a student's own, never.
import { UserError } from '../common/errors.js';

export interface FailureJudgement {
  /** Try the job again later (BullMQ's backoff). */
  retry: boolean;
  /** Why the grading failed: the student's message for a user error, the internal cause otherwise. */
  reason: string;
  /** The submission's (or grader's) fault, e.g. no source file; never worth a retry. */
  userError: boolean;
  /** The user error's code (the API shows students the message of their own mistakes only, by code). */
  code?: string;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A `UserError` (the submission or its grader is at fault) ends the job at once. Anything else is
 * an internal failure (the sandbox, the API, the disk): retried unless this was the last attempt.
 */
export function judgeFailure(error: unknown, attempt: { made: number; allowed: number }): FailureJudgement {
  if (error instanceof UserError) return { retry: false, reason: error.message, userError: true, code: error.code };
  const last = attempt.made + 1 >= attempt.allowed;
  const reason = last ? `internal failure, gave up after ${attempt.allowed} attempt(s): ${messageOf(error)}` : messageOf(error);
  return { retry: !last, reason, userError: false };
}
