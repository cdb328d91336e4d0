// Checks of what a worker reports about a grading (who tries it, why it failed), the same for every backend.
import { UserError } from '../common/errors.js';
import { checkCount, checkText } from './input-checks.js';
import type { AttemptBy } from './store.js';

/** Failure messages are cut to this many characters (the detail, for operators). */
export const MAX_FAILURE_CHARS = 4000;
const ERROR_CODE = /^E_[A-Z0-9_]{1,64}$/;

export function checkAttemptBy(by: AttemptBy): void {
  if (typeof by !== 'object' || by === null) throw new UserError('E_BAD_INPUT', 'an attempt needs a worker id and its number');
  checkText('worker id', by.workerId, 200);
  checkCount('attempt', by.attempt, 1);
}

/** A failure's message as stored: cut to MAX_FAILURE_CHARS, a NUL (which PostgreSQL's text cannot hold) replaced. */
export function failureText(message: string): string {
  return message.slice(0, MAX_FAILURE_CHARS).replaceAll('\u0000', '\uFFFD');
}

/** A failure needs a message; its code, when given, must be a user error's code. */
export function checkFailure(message: unknown, code: unknown): asserts message is string {
  if (typeof message !== 'string' || message.trim() === '') throw new UserError('E_BAD_INPUT', 'a failure needs a message saying why the grading failed');
  if (code !== undefined && (typeof code !== 'string' || !ERROR_CODE.test(code))) {
    throw new UserError('E_BAD_INPUT', `failure code ${JSON.stringify(code)} is not an error code; give one like E_SUBMISSION_NO_SOURCE, or none`);
  }
}
