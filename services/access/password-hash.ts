// Passwords are kept only as scrypt hashes (RFC 7914, node:crypto: no native package to build or
// download), with the cost OWASP's Password Storage Cheat Sheet gives for scrypt: N=2^17, r=8,
// p=1 (128 MiB and about 0.4 s here per hash, run on libuv's thread pool, off the event loop). The
// parameters are written into each hash (`$scrypt$ln=17,r=8,p=1$salt$hash`), so they can be raised
// later without making the hashes already kept unreadable.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

import { UserError } from '../common/errors.js';

const PARAMETERS = { ln: 17, r: 8, p: 1 };
const KEY_BYTES = 32;
const SALT_BYTES = 16;
const HASH = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{16,64})\$([A-Za-z0-9+/]{16,128})$/;

/** Longer passwords are refused: hashing what an attacker sends costs us, so it is bounded. */
export const MAX_PASSWORD_CHARS = 1024;
export const MIN_PASSWORD_CHARS = 12;

function derive(password: string, salt: Buffer, ln: number, r: number, p: number): Promise<Buffer> {
  // scrypt needs 128·N·r bytes; Node refuses more than 32 MiB unless told.
  const options: ScryptOptions = { N: 2 ** ln, r, p, maxmem: 256 * 2 ** ln * r + 1024 * 1024 };
  return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, KEY_BYTES, options, (error, key) => (error ? reject(error) : resolve(key))));
}

/** Refuses a password too short to resist guessing, or too long to hash cheaply. */
export function checkNewPassword(password: string): void {
  if (password.length < MIN_PASSWORD_CHARS || password.length > MAX_PASSWORD_CHARS) {
    throw new UserError('E_WEAK_PASSWORD', `a password must be ${MIN_PASSWORD_CHARS} to ${MAX_PASSWORD_CHARS} characters; this one has ${password.length}`);
  }
}

export async function hashPassword(password: string): Promise<string> {
  checkNewPassword(password);
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, PARAMETERS.ln, PARAMETERS.r, PARAMETERS.p);
  const b64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '');
  return `$scrypt$ln=${PARAMETERS.ln},r=${PARAMETERS.r},p=${PARAMETERS.p}$${b64(salt)}$${b64(key)}`;
}

/** Whether `password` is the one `stored` was made from; a malformed hash matches nothing. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = HASH.exec(stored);
  if (!parts || typeof password !== 'string' || password.length > MAX_PASSWORD_CHARS) return false;
  const [ln, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  if (ln < 10 || ln > 22 || r < 1 || p < 1 || p > 16) return false;
  const expected = Buffer.from(parts[5]!, 'base64');
  const key = await derive(password, Buffer.from(parts[4]!, 'base64'), ln, r, p);
  return key.length === expected.length && timingSafeEqual(key, expected);
}

let decoy: Promise<string> | undefined;

/**
 * Spends the time a real check takes, for a sign-in with an unknown email: otherwise a quick "no"
 * would tell which emails have an account.
 */
export async function verifyNothing(password: string): Promise<false> {
  decoy ??= hashPassword(randomBytes(24).toString('base64url'));
  await verifyPassword(password, await decoy);
  return false;
}
