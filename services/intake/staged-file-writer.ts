// Receives one uploaded or unpacked file, hashing and metering it on the way: kept in memory while
// the upload's memory allowance lasts, else written under the staging folder.
import { createHash } from 'node:crypto';
import { closeSync, constants, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';

import { InternalError } from '../common/errors.js';
import type { UploadBudget } from './upload-budget.js';

/** One file of a submission: its bytes in memory, or the file written in the staging folder. */
export type StagedFile = {
  /** Normalized relative POSIX path, e.g. `src/main.c`. */
  path: string;
  size: number;
  /** Lower-case hex SHA-256 of the content. */
  sha256: string;
} & (
  | { content: Buffer; diskPath?: undefined }
  /** Absolute path of the written file, inside the folder it was unpacked into. */
  | { diskPath: string; content?: undefined }
);

/** Bytes an upload may still keep in memory; each file kept there takes its size. */
export interface MemoryAllowance {
  bytesLeft: number;
}

// O_EXCL: never reuse or truncate something already there; O_NOFOLLOW: never write through a link.
const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/**
 * Reads `chunks` of the file `path` (already normalized by normalizeEntryName and claimed in
 * `budget`). Each chunk is counted against the budget before it is kept, so a refused file never
 * has more than the caps in memory or on disk. A file that fits in what `memory` has left stays there (a few
 * small source files, most submissions, never touch the disk before the blob store); otherwise it
 * goes to `destDir/path`, what was held first; without `memory`, straight to disk. Errors of the source pass through unchanged;
 * file-system failures are InternalError. The writes are direct system calls: a chunk (at most
 * 64 KiB) goes to the page cache in microseconds, less than a trip to the thread pool costs.
 */
export async function writeStagedFile(
  chunks: AsyncIterable<Uint8Array>,
  destDir: string,
  path: string,
  budget: UploadBudget,
  memory?: MemoryAllowance,
): Promise<StagedFile> {
  const hash = createHash('sha256');
  const held: Uint8Array[] = [];
  let size = 0;
  // Without an allowance the file is created at once, so an empty one exists too.
  let disk = memory ? undefined : createStaged(destDir, path);
  try {
    for await (const chunk of chunks) {
      budget.addBytes(path, size, chunk.byteLength);
      hash.update(chunk);
      size += chunk.byteLength;
      if (memory && !disk && chunk.byteLength <= memory.bytesLeft) {
        memory.bytesLeft -= chunk.byteLength; // taken at once: the next file may begin before this one returns
        held.push(chunk);
        continue;
      }
      if (!disk) {
        disk = createStaged(destDir, path);
        memory!.bytesLeft += size - chunk.byteLength; // what was held goes to disk, its memory back to the upload
        for (const earlier of held.splice(0)) writeAll(disk.fd, earlier, disk.diskPath);
      }
      writeAll(disk.fd, chunk, disk.diskPath);
    }
  } finally {
    if (disk) closeSync(disk.fd);
  }
  const sha256 = hash.digest('hex');
  if (disk) return { path, size, sha256, diskPath: disk.diskPath };
  return { path, size, sha256, content: Buffer.concat(held, size) };
}

function createStaged(destDir: string, path: string): { fd: number; diskPath: string } {
  const diskPath = insidePath(destDir, path);
  onDisk(`create the folder of ${diskPath}`, () => mkdirSync(dirname(diskPath), { recursive: true }));
  return { fd: onDisk(`create ${diskPath}`, () => openSync(diskPath, CREATE_FLAGS, 0o644)), diskPath };
}

/** `destDir/path`, checked once more to be inside `destDir` (the name checks should make this impossible to fail). */
function insidePath(destDir: string, path: string): string {
  const root = resolve(destDir);
  const diskPath = join(root, ...path.split('/'));
  if (!diskPath.startsWith(root + sep)) {
    throw new InternalError('E_UPLOAD_STAGING', `refusing to write ${JSON.stringify(path)} outside ${root}`);
  }
  return diskPath;
}

function writeAll(fd: number, chunk: Uint8Array, diskPath: string): void {
  for (let offset = 0; offset < chunk.byteLength;) offset += onDisk(`write ${diskPath}`, () => writeSync(fd, chunk, offset));
}

function onDisk<T>(what: string, step: () => T): T {
  try {
    return step();
  } catch (error) {
    throw new InternalError('E_UPLOAD_STAGING', `could not ${what}: ${(error as Error).message}`, { cause: error });
  }
}
