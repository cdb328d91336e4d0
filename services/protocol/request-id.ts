// The id of the API request that caused a grading: carried from the API through the outbox and the
// job to the worker and back, so an operator can follow one upload through every process's log.
import { z } from 'zod';

/**
 * What an id may look like (ours is a UUID; a proxy's may be anything like it): plain characters
 * only, so one that came from a client cannot forge or break a log line, and short, so it cannot
 * swell every line of a grading.
 */
export const requestId = z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1 to 128 letters, digits, ".", "_", ":" or "-"');

/** Whether `value` may be used as a request id as it is. */
export function isRequestId(value: unknown): value is string {
  return requestId.safeParse(value).success;
}
