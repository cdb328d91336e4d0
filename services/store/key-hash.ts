// API key secrets: made from 256 random bits, stored only as a sha256, compared in constant time.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** `gbx_<course>_<43 base64url characters>`; a course id holds no `_`, so the first one after `gbx_` ends it. */
const SECRET = /^gbx_([a-z0-9-]{1,40})_([A-Za-z0-9_-]{43})$/;
/** Characters of the random part kept in the visible prefix: enough to tell keys apart, useless to guess the rest. */
const PREFIX_CHARS = 8;

export interface KeySecret {
  secret: string;
  /** `gbx_<course>_` and the first random characters: shown in listings, and the lookup index. */
  prefix: string;
  hash: Buffer;
}

export function makeKeySecret(courseId: string): KeySecret {
  const secret = `gbx_${courseId}_${randomBytes(32).toString('base64url')}`;
  return { secret, prefix: secret.slice(0, `gbx_${courseId}_`.length + PREFIX_CHARS), hash: hashSecret(secret) };
}

/**
 * The prefix to look a presented secret up by, or null when it does not have the shape of a key.
 * A plain sha256 is enough (no slow hash): the secret has 256 random bits, nothing to brute-force.
 */
export function prefixOf(secret: unknown): string | null {
  if (typeof secret !== 'string') return null;
  const match = SECRET.exec(secret);
  if (!match) return null;
  return `gbx_${match[1]}_${match[2]!.slice(0, PREFIX_CHARS)}`;
}

export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

/** Constant-time equality of two sha256 digests. */
export function sameHash(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
