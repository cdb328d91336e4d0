// Unpacks a tar or tar.gz stream into a folder, refusing links, devices, FIFOs and unsafe names.
import { Transform, pipeline, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

import tar, { type ExtractEvents } from 'tar-stream';

import { archiveFailure, refuseEntryType } from './entry-refusals.js';
import { normalizeEntryName } from './safe-names.js';
import { writeStagedFile, type StagedFile } from './staged-file-writer.js';
import { UploadBudget } from './upload-budget.js';
import type { UploadLimits } from './upload-limits.js';

/** One entry of tar-stream's extract: its header and a stream of its data. */
type TarEntry = ExtractEvents['entry'][1];

/** How each tar entry type is treated; a type not listed (GNU sparse, volume labels, …) is refused. */
const TYPE_WORDS: Record<string, string> = {
  link: 'a hard link',
  symlink: 'a symbolic link',
  'character-device': 'a character device',
  'block-device': 'a block device',
  fifo: 'a FIFO (named pipe)',
};

/** Options of {@link unpackTar}. */
export interface TarSource {
  stream: Readable;
  gzipped: boolean;
  /**
   * Size of the (compressed) archive when known, e.g. a file on disk; the compression ratio is
   * then measured against the whole archive. Otherwise against the bytes read so far.
   * @defaultValue the bytes read so far
   */
  compressedSize?: number;
}

/**
 * Unpacks the tar in `source` into `destDir`. Entry sizes are those of the data actually read
 * (tar-stream reads exactly the size in the header, the budget counts every chunk). The source is
 * consumed, and destroyed on error.
 */
export async function unpackTar(source: TarSource, destDir: string, limits: UploadLimits): Promise<StagedFile[]> {
  let readBytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      readBytes += chunk.byteLength;
      done(null, chunk);
    },
  });
  const extract = tar.extract();
  const fail = (error: Error | null): void => { if (error) extract.destroy(error); };
  const decoded = source.gzipped ? pipeline(source.stream, counter, createGunzip(), fail) : pipeline(source.stream, counter, fail);
  // pipeline() stops listening to its last stream once that has taken all its input, but gunzip
  // reports a truncated stream only when flushing afterwards: listen to it for the whole read.
  decoded.on('error', fail);
  decoded.pipe(extract);
  const budget = new UploadBudget(limits, () => source.compressedSize ?? readBytes);
  const files: StagedFile[] = [];
  try {
    for await (const entry of extract) {
      const file = await unpackEntry(entry, destDir, budget, limits);
      if (file) files.push(file);
    }
    return files;
  } catch (error) {
    throw archiveFailure(error, source.gzipped ? 'tar.gz' : 'tar');
  } finally {
    decoded.unpipe(extract);
    decoded.destroy();
  }
}

async function unpackEntry(entry: TarEntry, destDir: string, budget: UploadBudget, limits: UploadLimits): Promise<StagedFile | undefined> {
  const { name, type } = entry.header;
  budget.countEntry(name);
  if (type === 'directory') {
    budget.claimFolder(normalizeEntryName(name, limits, 'directory'));
    entry.resume();
    return undefined;
  }
  if (type !== 'file' && type !== 'contiguous-file') {
    refuseEntryType(name, (type && TYPE_WORDS[type]) ?? `of tar type ${type ?? 'unknown'}`);
  }
  const path = normalizeEntryName(name, limits, 'file');
  budget.claimFile(path);
  // streamx streams are async iterable; its type declarations just do not say so.
  return writeStagedFile(entry as unknown as AsyncIterable<Uint8Array>, destDir, path, budget);
}
