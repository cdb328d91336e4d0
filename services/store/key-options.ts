// What both backends check of a new key's options: its scope and its expiry.
import { UserError } from '../common/errors.js';
import { checkIsoTime, quote } from './input-checks.js';
import { KEY_SCOPES, type KeyScope, type NewKeyOptions } from './store.js';

export function checkKeyOptions(options: NewKeyOptions = {}): { scope: KeyScope; expiresAt: string | null } {
  const scope = options.scope ?? 'portal';
  if (!KEY_SCOPES.includes(scope)) throw new UserError('E_BAD_INPUT', `key scope ${quote(scope)} is unknown; use ${KEY_SCOPES.join(' or ')}`);
  const expiresAt = options.expiresAt == null ? null : checkIsoTime('key expiry', options.expiresAt);
  return { scope, expiresAt };
}
