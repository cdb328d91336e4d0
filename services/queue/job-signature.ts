// Grading jobs carry an HMAC made by the API; a worker grades only a job whose HMAC holds. Anyone
// who can write to the Redis could otherwise queue a job of their own for a real submission (other
// files, another grader) and have its grade stored as the student's. The key is derived from the
// worker token, which only the API and the workers know.
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

import { canonicalJson } from '../common/canonical-json.js';
import { isSha256Hex } from '../protocol/digest.js';
import type { GradingJob } from '../protocol/grading-job.js';

/** HKDF's info: a key for this one purpose, unlike any other use of the token. */
const KEY_LABEL = 'gradebox grading-job hmac v1';

/** The field of a queued job that holds its HMAC (hex). */
export const MAC_FIELD = 'mac';

/** A job as it is queued: the payload and the HMAC-SHA256 of its canonical JSON. */
export type SignedGradingJob = GradingJob & { mac: string };

/** The jobs' HMAC key for a worker token (HKDF-SHA256, RFC 5869). */
export function jobKeyFromToken(token: string): Buffer {
  return Buffer.from(hkdfSync('sha256', token, Buffer.alloc(0), KEY_LABEL, 32));
}

function macOf(payload: object, key: Buffer): Buffer {
  return createHmac('sha256', key).update(canonicalJson(payload)).digest();
}

export function signJob(job: GradingJob, key: Buffer): SignedGradingJob {
  return { ...job, mac: macOf(job, key).toString('hex') };
}

/**
 * The payload of a queued job when its HMAC holds; otherwise why not. Nothing of the payload is
 * looked at before: a job the API did not make is not the API's to explain.
 */
export function verifyJob(data: unknown, key: Buffer): { payload: Record<string, unknown> } | { problem: string } {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return { problem: 'not signed: the payload is not an object' };
  const { [MAC_FIELD]: mac, ...payload } = data as Record<string, unknown>;
  if (!isSha256Hex(mac)) return { problem: 'not signed: it carries no HMAC' };
  if (!timingSafeEqual(Buffer.from(mac, 'hex'), macOf(payload, key))) return { problem: 'not signed by the API: its HMAC does not match' };
  return { payload };
}
