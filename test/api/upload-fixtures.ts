// Builders for the upload tests: multipart bodies, hand-made zips, temp folders, and checks of what landed on disk.
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { crc32, deflateRawSync } from 'node:zlib';

import * as assert from 'uvu/assert';

import { UploadError } from '../../services/intake/upload-error.js';

export type Part =
  | { field: string; value: string }
  | { filename: string; content: Buffer | string; field?: string; contentType?: string };

export const BOUNDARY = '----gradeboxTestBoundary7MA4YWxkTrZu0gW';

/** A multipart/form-data body; names with unusual characters go in RFC 5987 `filename*`, as careful clients send them. */
export function multipartBody(parts: Part[], boundary = BOUNDARY): Buffer {
  const pieces: Buffer[] = [];
  for (const part of parts) {
    pieces.push(Buffer.from(`--${boundary}\r\n`));
    if ('value' in part) {
      pieces.push(Buffer.from(`Content-Disposition: form-data; name="${part.field}"\r\n\r\n`), Buffer.from(part.value), Buffer.from('\r\n'));
      continue;
    }
    const plain = /^[\w .\-/]*$/.test(part.filename);
    const name = plain ? `filename="${part.filename}"` : `filename*=UTF-8''${encodeURIComponent(part.filename)}`;
    pieces.push(
      Buffer.from(`Content-Disposition: form-data; name="${part.field ?? 'files'}"; ${name}\r\n`),
      Buffer.from(`Content-Type: ${part.contentType ?? 'application/octet-stream'}\r\n\r\n`),
      Buffer.from(part.content),
      Buffer.from('\r\n'),
    );
  }
  pieces.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(pieces);
}

/** The request a route would hand over: headers plus the body as a byte stream in chunks of `chunkSize`. */
export function uploadRequest(body: Buffer | Readable, contentType = `multipart/form-data; boundary=${BOUNDARY}`, chunkSize = 16 * 1024):
{ headers: Record<string, string>; stream: Readable } {
  const stream = Buffer.isBuffer(body) ? Readable.from(chunked(body, chunkSize), { objectMode: false }) : body;
  return { headers: { 'content-type': contentType }, stream };
}

function* chunked(body: Buffer, size: number): Generator<Buffer> {
  for (let at = 0; at < body.length; at += size) yield body.subarray(at, at + size);
}

/** A body stream that never ends (a hostile client): it counts what was read from it. */
export function endlessBody(head: Buffer): Readable & { served: number } {
  const filler = Buffer.alloc(64 * 1024, 0x61);
  let sentHead = false;
  const stream = new Readable({
    read() {
      const chunk = sentHead ? filler : head;
      sentHead = true;
      stream.served += chunk.length;
      this.push(chunk);
    },
  }) as Readable & { served: number };
  stream.served = 0;
  return stream;
}

export interface ZipEntrySpec {
  name: string;
  data?: Buffer | string;
  /** 0 stored, 8 deflated; any other number is written as is, with the data stored. */
  method?: number;
  /** General purpose flags besides UTF-8 names (bit 0: encrypted). */
  flags?: number;
  /** Unix st_mode, type bits included (e.g. 0o120777 for a symlink). */
  mode?: number;
  /** Uncompressed size written in the headers instead of the real one (a lying header). */
  declaredSize?: number;
}

/** A zip written byte by byte (APPNOTE 4.3), for entries the zip command will not make. */
export function buildZip(entries: ZipEntrySpec[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name);
    const data = Buffer.from(entry.data ?? '');
    const method = entry.method ?? 8;
    const stored = method === 8 ? deflateRawSync(data) : data;
    const fields = { method, flags: 0x800 | (entry.flags ?? 0), crc: crc32(data), compressed: stored.length, size: entry.declaredSize ?? data.length, nameLength: name.length };
    const local = localHeader(fields);
    locals.push(local, name, stored);
    centrals.push(centralHeader(fields, ((entry.mode ?? 0o100644) << 16) >>> 0, offset), name);
    offset += local.length + name.length + stored.length;
  }
  const central = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(central.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, central, end]);
}

interface HeaderFields { method: number; flags: number; crc: number; compressed: number; size: number; nameLength: number }

function localHeader(f: HeaderFields): Buffer {
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(20, 4);
  header.writeUInt16LE(f.flags, 6);
  header.writeUInt16LE(f.method, 8);
  header.writeUInt16LE(0x21, 12); // 1980-01-01
  header.writeUInt32LE(f.crc, 14);
  header.writeUInt32LE(f.compressed, 18);
  header.writeUInt32LE(f.size, 22);
  header.writeUInt16LE(f.nameLength, 26);
  return header;
}

function centralHeader(f: HeaderFields, external: number, offset: number): Buffer {
  const header = Buffer.alloc(46);
  header.writeUInt32LE(0x02014b50, 0);
  header.writeUInt16LE((3 << 8) | 20, 4); // made by Unix, so the mode in the external attributes counts
  header.writeUInt16LE(20, 6);
  header.writeUInt16LE(f.flags, 8);
  header.writeUInt16LE(f.method, 10);
  header.writeUInt16LE(0x21, 14);
  header.writeUInt32LE(f.crc, 16);
  header.writeUInt32LE(f.compressed, 20);
  header.writeUInt32LE(f.size, 24);
  header.writeUInt16LE(f.nameLength, 28);
  header.writeUInt32LE(external, 38);
  header.writeUInt32LE(offset, 42);
  return header;
}

export function hasCommand(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Runs a command in `cwd` (zip, tar, mkfifo…), failing the test with its stderr. */
export function sh(cwd: string, argv: string[]): void {
  const [file, ...args] = argv;
  execFileSync(file!, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Temp folders of one test file, all removed by removeAll(). */
export class TempFolders {
  private readonly made: string[] = [];

  /** A fresh root with `work/` (for building inputs) and `staging/` (what the code under test may write). */
  make(): { root: string; work: string; staging: string } {
    const root = mkdtempSync(join(tmpdir(), 'gradebox-upload-t-'));
    this.made.push(root);
    const work = join(root, 'work');
    const staging = join(root, 'staging');
    execFileSync('mkdir', [work, staging]);
    return { root, work, staging };
  }

  removeAll(): void {
    for (const dir of this.made.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}

/** Every entry under `dir` with its type and size; never follows a link. */
export function listTree(dir: string): Array<{ path: string; type: 'file' | 'dir' | 'other'; size: number }> {
  const out: Array<{ path: string; type: 'file' | 'dir' | 'other'; size: number }> = [];
  const walk = (at: string): void => {
    for (const name of readdirSync(at)) {
      const full = join(at, name);
      const info = lstatSync(full);
      const type = info.isFile() ? 'file' : info.isDirectory() ? 'dir' : 'other';
      out.push({ path: relative(dir, full), type, size: info.size });
      if (type === 'dir') walk(full);
    }
  };
  walk(dir);
  return out;
}

/** Bytes of all regular files under `dir`. */
export function bytesUnder(dir: string): number {
  return listTree(dir).filter((e) => e.type === 'file').reduce((sum, e) => sum + e.size, 0);
}

/**
 * After a refusal: nothing but `work/` and `staging/` in the root, nothing but regular files and
 * folders in staging, no `evil` file anywhere a traversal could have put it, and at most
 * `maxBytes` written.
 */
export function assertContained(where: { root: string; work: string; staging: string }, maxBytes: number, workBefore?: string[]): void {
  assert.equal(readdirSync(where.root).sort(), ['staging', 'work']);
  for (const entry of listTree(where.staging)) assert.ok(entry.type !== 'other', `staging holds a non-regular ${entry.path}`);
  for (const place of [join(where.root, 'evil'), join(where.staging, 'evil'), join(tmpdir(), 'evil'), '/evil']) {
    assert.not.ok(existsSync(place), `${place} was written`);
  }
  if (workBefore) assert.equal(readdirSync(where.work).sort(), workBefore);
  const written = bytesUnder(where.staging);
  assert.ok(written <= maxBytes, `${written} bytes written, more than the cap of ${maxBytes}`);
}

/** The UploadError a call rejects with, checked for its code and HTTP status. */
export async function refusal(call: Promise<unknown>, code: string, status: number): Promise<UploadError> {
  let error: unknown;
  try {
    await call;
  } catch (caught) {
    error = caught;
  }
  assert.ok(error !== undefined, `expected ${code}, but the call succeeded`);
  if (!(error instanceof UploadError)) throw new Error(`expected UploadError ${code}, got ${String(error)}`, { cause: error });
  assert.is(error.code, code, error.message);
  assert.is(error.status, status);
  return error;
}

/** The request stream was either read to its end or destroyed: nothing left hanging. */
export function assertReleased(stream: Readable): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => stream.readableEnded || stream.destroyed;
    if (check()) return resolve();
    const timer = setTimeout(() => reject(new Error('request stream left hanging')), 5000);
    const done = (): void => { if (check()) { clearTimeout(timer); resolve(); } };
    stream.on('end', done);
    stream.on('close', done);
  });
}
