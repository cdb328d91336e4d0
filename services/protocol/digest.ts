// A sha256 digest as gradebox writes it everywhere (blobs, grader snapshots, evidence, the audit
// chain, job payloads, URLs): 64 lowercase hex digits, so it is safe in a file name and a URL.
import { z } from 'zod';

const SHA256_HEX = /^[0-9a-f]{64}$/;

export const sha256Hex = z.string().regex(SHA256_HEX, 'must be a sha256 digest: 64 lowercase hex digits');

/** Whether `value` is written as a sha256 digest is (also an HMAC-SHA256, which has the same form). */
export function isSha256Hex(value: unknown): value is string {
  return typeof value === 'string' && SHA256_HEX.test(value);
}
