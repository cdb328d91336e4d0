// The line format of gradebox's audit log: how a line is made, and how one is checked against the line before it.
import { createHash } from 'node:crypto';

import { canonicalJson } from '../common/canonical-json.js';
import { InternalError } from '../common/errors.js';
import { isSha256Hex } from '../protocol/digest.js';

/** The `prev` of the first line. */
export const GENESIS = '0'.repeat(64);

/** Longer lines are refused on append and reported by verify, so a reader never holds more. */
export const MAX_LINE_BYTES = 1024 * 1024;

/** Fields that every line carries; an event's own data may not use these names. */
const RESERVED = new Set(['seq', 'time', 'type', 'prev', 'hash']);
const EVENT_TYPE = /^[a-z][a-z0-9_.-]{0,63}$/;

/** An event's own fields: JSON values. */
export type AuditData = Record<string, unknown>;

/** One line of the log, parsed. */
export interface AuditEntry {
  [field: string]: unknown;
  seq: number;
  time: string;
  type: string;
  prev: string;
  hash: string;
}

/** Where the chain stands after a line: what the next line must carry. */
export interface ChainLink {
  seq: number;
  /** sha256 of the line's exact bytes (without its newline): the next line's `prev`. */
  digest: string;
}

export const START: ChainLink = { seq: 0, digest: GENESIS };

export function sha256(bytes: string | Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export { canonicalJson };

function entryHash(entry: Record<string, unknown>): string {
  const { hash: _hash, ...rest } = entry;
  return sha256(canonicalJson(rest));
}

/** The data as it will read back from JSON (dates as strings, no undefined), or an error naming the event. */
function jsonData(type: string, data: AuditData): AuditData {
  if (!EVENT_TYPE.test(type)) throw new InternalError('E_AUDIT_BAD_EVENT', `audit event type "${type}" is not a lowercase name`);
  const reserved = Object.keys(data).filter((key) => RESERVED.has(key));
  if (reserved.length) throw new InternalError('E_AUDIT_BAD_EVENT', `audit event "${type}" uses reserved fields: ${reserved.join(', ')}`);
  try {
    return JSON.parse(JSON.stringify(data)) as AuditData;
  } catch (error) {
    throw new InternalError('E_AUDIT_BAD_EVENT', `audit event "${type}" is not JSON data`, { cause: error });
  }
}

/** The line (without newline) that follows `link`, and the link after it. */
export function makeLine(link: ChainLink, type: string, data: AuditData, time: Date): { text: string; entry: AuditEntry; next: ChainLink } {
  const body = { seq: link.seq + 1, time: time.toISOString(), type, ...jsonData(type, data), prev: link.digest };
  const entry: AuditEntry = { ...body, hash: entryHash(body) };
  const text = JSON.stringify(entry);
  if (Buffer.byteLength(text) > MAX_LINE_BYTES) {
    throw new InternalError('E_AUDIT_EVENT_TOO_LARGE', `audit event "${type}" is longer than ${MAX_LINE_BYTES} bytes`);
  }
  return { text, entry, next: { seq: entry.seq, digest: sha256(text) } };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Parses a line and checks its fields' shapes; says what is wrong otherwise. */
export function parseLine(bytes: Uint8Array): AuditEntry | string {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(bytes));
  } catch {
    return 'not valid UTF-8 JSON';
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'not a JSON object';
  const entry = value as Record<string, unknown>;
  if (!Number.isSafeInteger(entry.seq) || (entry.seq as number) < 1) return 'seq is missing or not a positive integer';
  if (typeof entry.time !== 'string' || Number.isNaN(Date.parse(entry.time))) return 'time is missing or not a date';
  if (typeof entry.type !== 'string' || !EVENT_TYPE.test(entry.type)) return 'type is missing or malformed';
  if (!isSha256Hex(entry.prev)) return 'prev is missing or not a sha256';
  if (!isSha256Hex(entry.hash)) return 'hash is missing or not a sha256';
  return entry as AuditEntry;
}

/** Checks line `number` (1-based) against the link of the line before it: the next link, or why it is bad. */
export function checkLine(bytes: Uint8Array, number: number, link: ChainLink): { next: ChainLink } | { reason: string } {
  const entry = parseLine(bytes);
  if (typeof entry === 'string') return { reason: entry };
  if (entry.hash !== entryHash(entry)) return { reason: 'hash mismatch: the line was edited' };
  if (entry.prev !== link.digest) {
    return {
      reason: number === 1
        ? `prev is not 64 zeros: lines were removed from the start of the log (first seq is ${entry.seq})`
        : `prev does not match line ${number - 1} (seq ${entry.seq} follows seq ${link.seq}): ` +
          'a line was removed, inserted or reordered before this one',
    };
  }
  if (entry.seq !== link.seq + 1) return { reason: `seq ${entry.seq} where ${link.seq + 1} was expected` };
  return { next: { seq: entry.seq, digest: sha256(bytes) } };
}
