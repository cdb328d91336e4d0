// gradebox's own append-only security audit log: JSON lines, each chained to the line before it.
//
// Each line is {"seq", "time", "type", ...data, "prev", "hash"} (see audit-chain.ts):
// - `hash` is the sha256 of the line's canonical JSON (keys sorted, no spaces) without `hash`, so an
//   edited field no longer matches the line's own hash;
// - `prev` is the sha256 of the previous line's exact bytes (64 zeros for the first line), so a line
//   removed, inserted or moved breaks the `prev` of the line after it, and a line whose hash was
//   recomputed after an edit breaks the next line's `prev`;
// - `seq` counts from 1 without gaps, so the reason can name what happened.
// What a chain cannot show on its own: the last lines cut off, or the whole tail rewritten by
// someone who can write the file. `verify` prints the head digest so it can be kept elsewhere.
//
// Appends from several processes on one host are serialized by a lock directory (proper-lockfile,
// mkdir is atomic; a lock left by a crashed process goes stale after LOCK_STALE_MS), held while the
// last line is read and the new one written with one O_APPEND write and fsync'd.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { lock } from 'proper-lockfile';

import { config } from '../common/config.js';
import { InternalError, UserError } from '../common/errors.js';
import {
  checkLine, makeLine, MAX_LINE_BYTES, parseLine, sha256, START,
  type AuditData, type AuditEntry, type ChainLink,
} from './audit-chain.js';
import { fileLines, lastLines } from './file-lines.js';

export type { AuditData, AuditEntry } from './audit-chain.js';

const LOCK_STALE_MS = 5000;
/** About 7 to 14 s of retries: longer than LOCK_STALE_MS, so a crashed holder's lock is taken over. */
const LOCK_RETRIES = { retries: 80, factor: 1.3, minTimeout: 5, maxTimeout: 100, randomize: true };

export type VerifyResult =
  | { ok: true; lines: number; head: string }
  | { ok: false; line: number; reason: string };

/** The link the next line must follow, from the log's last line. */
function lastLink(fd: number, path: string): ChainLink {
  const { lines, complete } = lastLines(fd, 1);
  const last = lines[0];
  if (last === undefined) return START;
  const entry = complete ? parseLine(last) : 'the last line has no newline';
  if (typeof entry === 'string') {
    throw new InternalError('E_AUDIT_LOG_CORRUPT',
      `cannot append to ${path}: ${entry}; run "gradebox audit verify --log ${path}"`);
  }
  return { seq: entry.seq, digest: sha256(last) };
}

function writeAll(fd: number, bytes: Buffer): void {
  for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done, bytes.length - done);
}

/** Appends one line; the caller holds the lock. */
function appendLocked(path: string, type: string, data: AuditData): AuditEntry {
  const created = !existsSync(path);
  const fd = openSync(path, 'a+', 0o600);
  try {
    const { text, entry } = makeLine(lastLink(fd, path), type, data, new Date());
    writeAll(fd, Buffer.from(`${text}\n`));
    fsyncSync(fd);
    return entry;
  } finally {
    closeSync(fd);
    // A new file is durable only once its directory entry is.
    if (created) fsyncDirectory(dirname(path));
  }
}

function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

async function withLock<T>(path: string, work: () => T): Promise<T> {
  let lost: Error | undefined;
  let release: () => Promise<void>;
  try {
    release = await lock(path, {
      realpath: false, lockfilePath: `${path}.lock`, stale: LOCK_STALE_MS, retries: LOCK_RETRIES,
      onCompromised: (error) => { lost = error; },
    });
  } catch (error) {
    throw new InternalError('E_AUDIT_LOCK', `cannot lock the audit log ${path}: ${String(error)}`, { cause: error });
  }
  try {
    const result = work();
    if (lost) {
      throw new InternalError('E_AUDIT_LOCK', `lost the lock of ${path} while appending (${lost.message}); ` +
        'another writer may have appended at the same time: run "gradebox audit verify"');
    }
    return result;
  } finally {
    await release().catch(() => undefined); // rejects only when the lock was already lost (reported above)
  }
}

/** Appends in this process run one after another, so they do not spin on each other's lock. */
const queues = new Map<string, Promise<unknown>>();

function inTurn<T>(path: string, work: () => Promise<T>): Promise<T> {
  const result = (queues.get(path) ?? Promise.resolve()).then(work);
  const settled = result.catch(() => undefined);
  queues.set(path, settled);
  void settled.then(() => { if (queues.get(path) === settled) queues.delete(path); });
  return result;
}

/** An append-only audit log file; one instance per path is enough, any number may exist. */
export class AuditLog {
  /** @param path the log file. @defaultValue `config().auditLog` (`<stateDir>/audit/audit.log`) */
  constructor(readonly path: string = config().auditLog) {}

  /**
   * Records one security-relevant event (e.g. `violation`, `incident.freeze`, `policy.change`) and
   * returns the line as written. Throws InternalError when it could not be recorded durably.
   */
  append(type: string, data: AuditData = {}): Promise<AuditEntry> {
    return inTurn(this.path, async () => {
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
      return withLock(this.path, () => appendLocked(this.path, type, data));
    });
  }
}

function missingLog(path: string): UserError {
  return new UserError('E_AUDIT_LOG_MISSING',
    `no audit log at ${path}: nothing has been recorded there yet, or --log names the wrong file`);
}

/**
 * Checks the whole chain and names the first bad line (1-based) and why. `head` is the digest the
 * next line's `prev` will carry; keep it elsewhere to detect a cut or rewritten tail later.
 */
export async function verifyAuditLog(path: string = config().auditLog): Promise<VerifyResult> {
  if (!existsSync(path)) throw missingLog(path);
  let link = START;
  let number = 0;
  for await (const line of fileLines(path, MAX_LINE_BYTES)) {
    number++;
    if (line.tooLong) return { ok: false, line: number, reason: `longer than ${MAX_LINE_BYTES} bytes` };
    if (!line.terminated) return { ok: false, line: number, reason: 'incomplete: the last line has no newline' };
    const checked = checkLine(line.bytes, number, link);
    if ('reason' in checked) return { ok: false, line: number, reason: checked.reason };
    link = checked.next;
  }
  return { ok: true, lines: number, head: link.digest };
}

/** The last `count` lines of the log as written, unchecked (verify checks). */
export function tailAuditLog(path: string = config().auditLog, count = 10): string[] {
  if (!existsSync(path)) throw missingLog(path);
  const fd = openSync(path, 'r');
  try {
    return lastLines(fd, count).lines.map((line) => line.toString('utf8'));
  } finally {
    closeSync(fd);
  }
}
