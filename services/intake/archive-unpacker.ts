// Safe unpacking of one zip, tar or tar.gz archive into a folder: the entry point for the API and the worker.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import type { ArchiveKind } from './archive-kind.js';
import type { StagedFile } from './staged-file-writer.js';
import { unpackTar } from './tar-unpacker.js';
import { UploadError } from './upload-error.js';
import { resolveUploadLimits, type UploadLimits } from './upload-limits.js';
import { unpackZip } from './zip-unpacker.js';

export type { ArchiveKind } from './archive-kind.js';
/** One unpacked file: normalized relative path, size, sha256 and where it lies on disk. */
export type UnpackedFile = StagedFile;

/**
 * Unpacks an archive into `destDir` (created if missing; it should be a fresh folder that only this
 * call writes to, since parent folders of entries are created as found) and returns its files.
 *
 * `source` is the archive's path, or a stream of it. A zip needs random access: a zip stream is
 * first copied into a private temporary folder (at most `maxBodyBytes`), removed afterwards. With
 * a path, the compression ratio is measured against the archive's real size on disk; with a tar
 * stream, against the bytes read so far.
 *
 * Refusals are {@link UploadError}s (an archive without any file is `E_UPLOAD_NO_FILES`); files
 * already written stay in `destDir` for the caller to remove. A stream source is consumed, and
 * destroyed on error.
 */
export async function unpackArchive(
  source: Readable | string,
  kind: ArchiveKind,
  destDir: string,
  limits?: Partial<UploadLimits>,
): Promise<UnpackedFile[]> {
  const resolved = resolveUploadLimits(limits);
  const files = kind === 'zip'
    ? await unpackZipFrom(source, destDir, resolved)
    : await unpackTarFrom(source, kind === 'tar.gz', destDir, resolved);
  if (files.length === 0) {
    throw new UploadError('E_UPLOAD_NO_FILES', `upload ${kind} archive holds no file; put the submission's files in it`);
  }
  return files;
}

async function unpackTarFrom(source: Readable | string, gzipped: boolean, destDir: string, limits: UploadLimits): Promise<UnpackedFile[]> {
  if (typeof source !== 'string') return unpackTar({ stream: source, gzipped }, destDir, limits);
  const { size } = await stat(source);
  return unpackTar({ stream: createReadStream(source), gzipped, compressedSize: size }, destDir, limits);
}

async function unpackZipFrom(source: Readable | string, destDir: string, limits: UploadLimits): Promise<UnpackedFile[]> {
  if (typeof source === 'string') return unpackZip(source, destDir, limits);
  const spoolDir = await mkdtemp(join(tmpdir(), 'gradebox-zip-'));
  try {
    const zipPath = join(spoolDir, 'archive.zip');
    await pipeline(source, capBytes(limits.maxBodyBytes), createWriteStream(zipPath, { flags: 'wx', mode: 0o600 }));
    return await unpackZip(zipPath, destDir, limits);
  } finally {
    await rm(spoolDir, { recursive: true, force: true });
  }
}

/** Passes bytes through until more than `max` have come, then fails with a 413 refusal. */
function capBytes(max: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.byteLength;
      if (seen > max) {
        done(new UploadError('E_UPLOAD_BODY_TOO_LARGE', `upload zip archive is larger than ${max} bytes; submit a smaller archive`));
        return;
      }
      done(null, chunk);
    },
  });
}
