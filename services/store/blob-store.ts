// Content-addressed files on disk: `blobs/ab/cdef…` named by their sha256, written whole or not at
// all (temp file, fsync, rename), never through a link, each content stored once, readable by the
// service account alone (workers get them over HTTP). Big uploads, evidence and grader snapshots
// come here; a submission's small files are kept in the database (sqlite-blob-contents).
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync, constants, fstatSync, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync, readSync, renameSync, rmSync,
  unlinkSync, writeSync,
} from 'node:fs';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

import { InternalError, UserError } from '../common/errors.js';
import { checkSha256, quote } from './input-checks.js';
import type { BlobSource, StoredBlob } from './store.js';

const TEMP_DIR = 'tmp';
/** Temp files older than this are left over from a crash: removed when a store opens. */
const STALE_TEMP_MS = 24 * 60 * 60 * 1000;
const CHUNK = 64 * 1024;
/** Contents up to this size are read and written whole, with direct system calls (and a PostgreSQL store keeps them in the database). */
export const SMALL_BLOB_BYTES = 256 * 1024;
const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
// O_NOFOLLOW: a link at the name is refused; O_NONBLOCK keeps a FIFO from hanging the open.
const SOURCE_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

export class BlobStore {
  private constructor(
    readonly root: string,
    private readonly maxBytes: number,
  ) {}

  /** Opens (and creates) the blob folder `root`; it must not be a link. */
  static open(root: string, maxBytes: number): BlobStore {
    for (const dir of [root, join(root, TEMP_DIR)]) ensureRealDir(dir);
    sweepStaleTemps(join(root, TEMP_DIR));
    return new BlobStore(root, maxBytes);
  }

  /**
   * Stores `source` under its sha256. With `expectedSha256`, content with another digest is refused.
   * A small content (most submissions) is stored with a few direct system calls; only a big one's
   * bytes are copied through the thread pool, whose every trip costs more than writing a few KiB.
   */
  async put(source: BlobSource, expectedSha256?: string): Promise<StoredBlob> {
    if (expectedSha256 !== undefined) checkSha256('expected blob digest', expectedSha256);
    const temp = join(this.root, TEMP_DIR, `${randomBytes(12).toString('hex')}.part`);
    const small = smallContent(source, this.maxBytes);
    const written = small ? writeSmall(temp, small) : await this.writeStreamed(temp, source);
    if (expectedSha256 !== undefined && written.sha256 !== expectedSha256) {
      unlinkSync(temp);
      throw new UserError('E_BLOB_DIGEST_MISMATCH',
        `the content sent has sha256 ${written.sha256}, not the ${expectedSha256} it was sent as; send the file again unchanged`);
    }
    return { ...written, created: this.moveIntoPlace(temp, written.sha256) };
  }

  /** Where the blob `sha256` is or would be; the digest is checked first, so no path escapes `root`. */
  pathOf(sha256: string): string {
    checkSha256('blob digest', sha256);
    return join(this.root, sha256.slice(0, 2), sha256.slice(2));
  }

  /** The path and size of a stored blob, or null when it is not stored. */
  find(sha256: string): { path: string; size: number } | null {
    const path = this.pathOf(sha256);
    const info = lstatSync(path, { throwIfNoEntry: false });
    return info?.isFile() ? { path, size: info.size } : null;
  }

  /** The size of a stored blob, or null when it is not stored. */
  sizeOf(sha256: string): number | null {
    const info = lstatSync(this.pathOf(sha256), { throwIfNoEntry: false });
    return info?.isFile() ? info.size : null;
  }

  /** Copies `source` into a new file at `temp`, synced; removed again if anything fails. */
  private async writeStreamed(temp: string, source: BlobSource): Promise<{ sha256: string; size: number }> {
    const handle = await open(temp, CREATE_FLAGS, 0o600);
    try {
      const written = await this.copyInto(handle, source);
      await handle.sync();
      await handle.close();
      return written;
    } catch (error) {
      await handle.close().catch(() => undefined);
      await unlink(temp).catch(() => undefined);
      throw error;
    }
  }

  private async copyInto(out: FileHandle, source: BlobSource): Promise<{ sha256: string; size: number }> {
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of chunksOf(source, this.maxBytes)) {
      size += chunk.length;
      if (size > this.maxBytes) throw tooLarge(this.maxBytes);
      hash.update(chunk);
      await writeAll(out, chunk);
    }
    return { sha256: hash.digest('hex'), size };
  }

  /** Renames the temp file to its blob name, unless that content is there already. */
  private moveIntoPlace(temp: string, sha256: string): boolean {
    const dir = join(this.root, sha256.slice(0, 2));
    let madeDir = true;
    try {
      mkdirSync(dir, { mode: 0o700 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      madeDir = false;
    }
    if (!lstatSync(dir).isDirectory()) throw new InternalError('E_BLOB_LAYOUT', `blob folder ${dir} is not a folder (a link?); remove it`);
    const final = join(dir, sha256.slice(2));
    if (lstatSync(final, { throwIfNoEntry: false })?.isFile()) {
      unlinkSync(temp);
      return false;
    }
    // rename() replaces whatever has the name (even a planted link) and never follows it
    renameSync(temp, final);
    syncDir(dir);
    if (madeDir) syncDir(this.root);
    return true;
  }
}

export function tooLarge(maxBytes: number): UserError {
  return new UserError('E_TOO_LARGE', `the file is larger than ${maxBytes} bytes, the most one stored file may have; send a smaller one`);
}

async function* chunksOf(source: BlobSource, maxBytes: number): AsyncGenerator<Buffer> {
  if (Buffer.isBuffer(source)) {
    if (source.length > maxBytes) throw tooLarge(maxBytes);
    yield source;
  } else if (typeof source === 'string') {
    yield* fileChunks(source, maxBytes);
  } else {
    for await (const chunk of source) yield typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
  }
}

/** Reads a regular file without following a link at its name. */
async function* fileChunks(path: string, maxBytes: number): AsyncGenerator<Buffer> {
  const handle = await open(path, SOURCE_FLAGS).catch((error: NodeJS.ErrnoException) => { throw cannotOpen(path, error); });
  try {
    const info = await handle.stat();
    checkSourceFile(path, info.isFile(), info.size, maxBytes);
    for (;;) {
      const { bytesRead, buffer } = await handle.read(Buffer.alloc(CHUNK), 0, CHUNK, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

function openSource(path: string): number {
  try {
    return openSync(path, SOURCE_FLAGS);
  } catch (error) {
    throw cannotOpen(path, error as NodeJS.ErrnoException);
  }
}

function cannotOpen(path: string, error: NodeJS.ErrnoException): UserError {
  if (error.code === 'ELOOP') return new UserError('E_BAD_BLOB_SOURCE', `${quote(path)} is a symbolic link; store the file it points to instead`);
  return new UserError('E_BAD_BLOB_SOURCE', `cannot open ${quote(path)} to store it (${error.code ?? error.message}); check the path`);
}

function checkSourceFile(path: string, isFile: boolean, size: number, maxBytes: number): void {
  if (!isFile) throw new UserError('E_BAD_BLOB_SOURCE', `${quote(path)} is not a regular file; only regular files can be stored`);
  if (size > maxBytes) throw tooLarge(maxBytes);
}

async function writeAll(out: FileHandle, chunk: Buffer): Promise<void> {
  for (let at = 0; at < chunk.length;) at += (await out.write(chunk, at, chunk.length - at)).bytesWritten;
}

/** Makes a rename durable: fsync of the folder that holds the new name. */
function syncDir(dir: string): void {
  const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * The whole content of `source` when it is small (a buffer, or a regular file, opened without
 * following a link at its name), else null: it is then streamed.
 */
export function smallContent(source: BlobSource, maxBytes: number): Buffer | null {
  if (Buffer.isBuffer(source)) {
    if (source.length > maxBytes) throw tooLarge(maxBytes);
    return source.length <= SMALL_BLOB_BYTES ? source : null;
  }
  if (typeof source !== 'string') return null;
  const fd = openSource(source);
  try {
    const info = fstatSync(fd);
    checkSourceFile(source, info.isFile(), info.size, maxBytes);
    if (info.size > SMALL_BLOB_BYTES) return null;
    const content = Buffer.alloc(info.size);
    let at = 0;
    for (let n = -1; n !== 0 && at < content.length; at += n) n = readSync(fd, content, at, content.length - at, null);
    // A file that grew meanwhile is streamed instead: what is stored is always all of it.
    return readSync(fd, Buffer.alloc(1), 0, 1, null) === 0 ? content.subarray(0, at) : null;
  } finally {
    closeSync(fd);
  }
}

/** Writes `content` into a new file at `temp`, synced; removed again if anything fails. */
function writeSmall(temp: string, content: Buffer): { sha256: string; size: number } {
  const fd = openSync(temp, CREATE_FLAGS, 0o600);
  try {
    for (let at = 0; at < content.length;) at += writeSync(fd, content, at, content.length - at);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    unlinkSync(temp);
    throw error;
  }
  closeSync(fd);
  return { sha256: createHash('sha256').update(content).digest('hex'), size: content.length };
}

function ensureRealDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!lstatSync(dir).isDirectory()) throw new InternalError('E_BLOB_LAYOUT', `blob folder ${dir} is not a folder (a link?); remove it or choose another data dir`);
}

function sweepStaleTemps(tempDir: string): void {
  const now = Date.now();
  for (const name of readdirSync(tempDir)) {
    const path = join(tempDir, name);
    const info = lstatSync(path, { throwIfNoEntry: false });
    if (info && now - info.mtimeMs > STALE_TEMP_MS) rmSync(path, { force: true });
  }
}
