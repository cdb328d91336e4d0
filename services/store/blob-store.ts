// Content-addressed files on disk: `blobs/ab/cdef…` named by their sha256, written whole or not at
// all (temp file, fsync, rename), never through a link, each content stored once.
import { createHash, randomBytes } from 'node:crypto';
import { constants, lstatSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { lstat, mkdir, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

import { InternalError, UserError } from '../common/errors.js';
import { checkSha256, quote } from './input-checks.js';
import type { BlobSource, StoredBlob } from './store.js';

const TEMP_DIR = 'tmp';
/** Temp files older than this are left over from a crash: removed when a store opens. */
const STALE_TEMP_MS = 24 * 60 * 60 * 1000;
const CHUNK = 64 * 1024;

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

  /** Stores `source` under its sha256. With `expectedSha256`, content with another digest is refused. */
  async put(source: BlobSource, expectedSha256?: string): Promise<StoredBlob> {
    if (expectedSha256 !== undefined) checkSha256('expected blob digest', expectedSha256);
    const temp = join(this.root, TEMP_DIR, `${randomBytes(12).toString('hex')}.part`);
    const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
    let written: { sha256: string; size: number };
    try {
      written = await this.copyInto(handle, source);
      await handle.chmod(0o644); // the umask may have taken bits away; workers and backups read blobs
      await handle.sync();
    } catch (error) {
      await handle.close().catch(() => undefined);
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    await handle.close();
    if (expectedSha256 !== undefined && written.sha256 !== expectedSha256) {
      await unlink(temp);
      throw new UserError('E_BLOB_DIGEST_MISMATCH',
        `the content sent has sha256 ${written.sha256}, not the ${expectedSha256} it was sent as; send the file again unchanged`);
    }
    return { ...written, created: await this.moveIntoPlace(temp, written.sha256) };
  }

  /** Where the blob `sha256` is or would be; the digest is checked first, so no path escapes `root`. */
  pathOf(sha256: string): string {
    checkSha256('blob digest', sha256);
    return join(this.root, sha256.slice(0, 2), sha256.slice(2));
  }

  /** The path of a stored blob, or null when it is not stored. */
  async find(sha256: string): Promise<string | null> {
    const path = this.pathOf(sha256);
    const info = await lstat(path).catch(() => null);
    return info?.isFile() ? path : null;
  }

  /** The size of a stored blob, or null when it is not stored. */
  sizeOf(sha256: string): number | null {
    const info = lstatSync(this.pathOf(sha256), { throwIfNoEntry: false });
    return info?.isFile() ? info.size : null;
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
  private async moveIntoPlace(temp: string, sha256: string): Promise<boolean> {
    const dir = join(this.root, sha256.slice(0, 2));
    const madeDir = await mkdir(dir, { mode: 0o755 }).then(() => true, (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
      return false;
    });
    if (!(await lstat(dir)).isDirectory()) throw new InternalError('E_BLOB_LAYOUT', `blob folder ${dir} is not a folder (a link?); remove it`);
    const final = join(dir, sha256.slice(2));
    if ((await lstat(final).catch(() => null))?.isFile()) {
      await unlink(temp);
      return false;
    }
    // rename() replaces whatever has the name (even a planted link) and never follows it
    await rename(temp, final);
    await syncDir(dir);
    if (madeDir) await syncDir(this.root);
    return true;
  }
}

function tooLarge(maxBytes: number): UserError {
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

/** Reads a regular file without following a link at its name; O_NONBLOCK keeps a FIFO from hanging the open. */
async function* fileChunks(path: string, maxBytes: number): AsyncGenerator<Buffer> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ELOOP') throw new UserError('E_BAD_BLOB_SOURCE', `${quote(path)} is a symbolic link; store the file it points to instead`);
    throw new UserError('E_BAD_BLOB_SOURCE', `cannot open ${quote(path)} to store it (${error.code ?? error.message}); check the path`);
  });
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new UserError('E_BAD_BLOB_SOURCE', `${quote(path)} is not a regular file; only regular files can be stored`);
    if (info.size > maxBytes) throw tooLarge(maxBytes);
    for (;;) {
      const { bytesRead, buffer } = await handle.read(Buffer.alloc(CHUNK), 0, CHUNK, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

async function writeAll(out: FileHandle, chunk: Buffer): Promise<void> {
  for (let at = 0; at < chunk.length;) at += (await out.write(chunk, at, chunk.length - at)).bytesWritten;
}

/** Makes a rename durable: fsync of the folder that holds the new name. */
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function ensureRealDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
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
