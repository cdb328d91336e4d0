// Identifiers only the store uses: random, URL-safe, and long enough that nobody can guess one. (The
// ids that travel, such as a submission's, are services/protocol/ids.ts.)
import { randomBytes } from 'node:crypto';

/** `key_` and 9 random bytes: names a key in listings and `revoke`; it is not a secret. */
export function newKeyId(): string {
  return `key_${randomBytes(9).toString('base64url')}`;
}
