// Writes one uploaded or unpacked file under the staging folder, hashing and metering it on the way.
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';

import { InternalError } from '../../common/errors.js';
import type { UploadBudget } from './upload-budget.js';

/** One file of a submission as it lies in the staging folder. */
export interface StagedFile {
  /** Normalized relative POSIX path, e.g. `src/main.c`. */
  path: string;
  size: number;
  /** Lower-case hex SHA-256 of the content. */
  sha256: string;
  /** Absolute path of the written file, inside the folder it was unpacked into. */
  diskPath: string;
}

// O_EXCL: never reuse or truncate something already there; O_NOFOLLOW: never write through a link.
const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/**
 * Streams `chunks` into `destDir/path` (`path` already normalized by normalizeEntryName and
 * claimed in `budget`). Each chunk is counted against the budget before it is written, so a
 * refused file never has more than the caps on disk. Errors of the source pass through unchanged;
 * file-system failures are InternalError.
 */
export async function writeStagedFile(
  chunks: AsyncIterable<Uint8Array>,
  destDir: string,
  path: string,
  budget: UploadBudget,
): Promise<StagedFile> {
  const diskPath = insidePath(destDir, path);
  await onDisk(`create the folder of ${diskPath}`, () => mkdir(dirname(diskPath), { recursive: true }));
  const handle = await onDisk(`create ${diskPath}`, () => open(diskPath, CREATE_FLAGS, 0o644));
  const hash = createHash('sha256');
  let size = 0;
  try {
    for await (const chunk of chunks) {
      budget.addBytes(path, size, chunk.byteLength);
      hash.update(chunk);
      await writeAll(handle, chunk, diskPath);
      size += chunk.byteLength;
    }
  } finally {
    await handle.close();
  }
  return { path, size, sha256: hash.digest('hex'), diskPath };
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

async function writeAll(handle: FileHandle, chunk: Uint8Array, diskPath: string): Promise<void> {
  let offset = 0;
  while (offset < chunk.byteLength) {
    const { bytesWritten } = await onDisk(`write ${diskPath}`, () => handle.write(chunk, offset));
    offset += bytesWritten;
  }
}

async function onDisk<T>(what: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    throw new InternalError('E_UPLOAD_STAGING', `could not ${what}: ${(error as Error).message}`, { cause: error });
  }
}
