// Standard Webhooks signatures: HMAC-SHA256 of `<webhook-id>.<webhook-timestamp>.<body>` with the
// key of a whsec_ secret, sent as `v1,<base64>`; several, separated by spaces, while a rotated
// secret still signs. Verified within a tolerance of the clock, compared in constant time.
import { createHmac, timingSafeEqual } from 'node:crypto';

import { webhookSecretKey } from '../protocol/webhook-secret.js';

/** `v1,<base64 HMAC-SHA256 of id.timestamp.body>` with `secret`. */
export function signatureOf(secret: string, webhookId: string, timestampSeconds: number, body: Buffer): string {
  const mac = createHmac('sha256', webhookSecretKey(secret)).update(`${webhookId}.${timestampSeconds}.`).update(body).digest('base64');
  return `v1,${mac}`;
}

/** The webhook-signature header: one `v1,` entry per secret, separated by spaces. */
export function signatureHeader(secrets: readonly string[], webhookId: string, timestampSeconds: number, body: Buffer): string {
  return secrets.map((secret) => signatureOf(secret, webhookId, timestampSeconds, body)).join(' ');
}

/** The three headers of a Standard Webhooks request. */
export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

export function signedHeaders(secrets: readonly string[], webhookId: string, timestampSeconds: number, body: Buffer): SignedHeaders {
  return {
    'webhook-id': webhookId,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': signatureHeader(secrets, webhookId, timestampSeconds, body),
  };
}

/** Why a request's signature does not hold, or null when it does. */
export type SignatureProblem = 'missing headers' | 'timestamp not a number' | 'timestamp too old' | 'timestamp too new' | 'no signature matches';

/**
 * Checks a received request against `secrets` (any one may have signed it): its timestamp within
 * `toleranceMs` of `nowMs` (a replay later is refused), and one of its `v1,` entries equal, byte
 * for byte and in constant time, to the HMAC computed here.
 */
export function signatureProblem(
  secrets: readonly string[], headers: Partial<SignedHeaders>, body: Buffer, toleranceMs: number, nowMs = Date.now(),
): SignatureProblem | null {
  const { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signatures } = headers;
  if (!id || !timestamp || !signatures) return 'missing headers';
  if (!/^\d{1,12}$/.test(timestamp)) return 'timestamp not a number';
  const skewMs = Number(timestamp) * 1000 - nowMs;
  if (skewMs < -toleranceMs) return 'timestamp too old';
  if (skewMs > toleranceMs) return 'timestamp too new';
  const given = signatures.split(' ').filter((entry) => entry.startsWith('v1,')).map((entry) => Buffer.from(entry.slice(3), 'base64'));
  for (const secret of secrets) {
    const expected = Buffer.from(signatureOf(secret, id, Number(timestamp), body).slice(3), 'base64');
    // Every entry is compared, whatever matched before: the time taken tells nothing of which.
    let matched = false;
    for (const candidate of given) if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) matched = true;
    if (matched) return null;
  }
  return 'no signature matches';
}
