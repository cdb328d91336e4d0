// A webhook signing secret as Standard Webhooks serializes it: `whsec_` and the key in base64. The
// store makes them; the signer and the verifier read the key back from them.
import { randomBytes } from 'node:crypto';

import { InternalError } from '../common/errors.js';

const PREFIX = 'whsec_';

/** 32 random bytes (the spec asks for 24 to 64). */
export function newWebhookSecret(): string {
  return `${PREFIX}${randomBytes(32).toString('base64')}`;
}

/** The HMAC key of `secret`; one that is not a whsec_ secret is a programming error (the store keeps only these). */
export function webhookSecretKey(secret: string): Buffer {
  if (!secret.startsWith(PREFIX)) throw new InternalError('E_WEBHOOK_SECRET', 'a webhook secret must start with whsec_');
  const key = Buffer.from(secret.slice(PREFIX.length), 'base64');
  if (key.length < 24) throw new InternalError('E_WEBHOOK_SECRET', 'a webhook secret must hold at least 24 bytes');
  return key;
}
