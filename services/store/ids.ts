// Identifiers only the store uses: random, URL-safe, and long enough that nobody can guess one. (The
// ids that travel, such as a submission's, are services/protocol/ids.ts.)
import { randomBytes } from 'node:crypto';

/** `key_` and 9 random bytes: names a key in listings and `revoke`; it is not a secret. */
export function newKeyId(): string {
  return `key_${randomBytes(9).toString('base64url')}`;
}

/** `usr_` and 12 random bytes: names a user in URLs and the audit trail. */
export function newUserId(): string {
  return `usr_${randomBytes(12).toString('base64url')}`;
}

/** `ses_` and 12 random bytes: names a session in logs; its secret is another value. */
export function newSessionId(): string {
  return `ses_${randomBytes(12).toString('base64url')}`;
}

/** A prefixed random id for a resource the API names (`st_` a self-test, `rg_` a regrade batch). */
export function newResourceId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('base64url')}`;
}
