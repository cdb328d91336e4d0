// Identifiers the store hands out: random, URL-safe, and long enough that nobody can guess one.
import { randomBytes } from 'node:crypto';

const SUBMISSION_ID = /^sub_[A-Za-z0-9_-]{22}$/;

/** `sub_` and 16 random bytes (128 bits) in base64url: a submission's URL is its capability. */
export function newSubmissionId(): string {
  return `sub_${randomBytes(16).toString('base64url')}`;
}

/** Whether `id` could be a submission id (anything else is looked up as "not found" without a query). */
export function isSubmissionId(id: unknown): id is string {
  return typeof id === 'string' && SUBMISSION_ID.test(id);
}

/** `key_` and 9 random bytes: names a key in listings and `revoke`; it is not a secret. */
export function newKeyId(): string {
  return `key_${randomBytes(9).toString('base64url')}`;
}
