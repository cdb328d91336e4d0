// Unpacks a zip file (random access, so it must be a file on disk) into a folder, refusing anything unsafe.
import yauzl, { type Entry, type ZipFile } from 'yauzl';

import { archiveFailure, refuseEntryType } from './entry-refusals.js';
import { describeName, normalizeEntryName, type EntryKind } from './safe-names.js';
import { writeStagedFile, type StagedFile } from './staged-file-writer.js';
import { UploadBudget } from './upload-budget.js';
import { UploadError } from './upload-error.js';
import type { UploadLimits } from './upload-limits.js';

// "version made by" hosts whose external attributes carry a Unix st_mode (APPNOTE 4.4.2: 3 Unix, 19 OS X).
const UNIX_HOSTS = new Set([3, 19]);
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const STORED = 0;
const DEFLATED = 8;

/**
 * Unpacks `zipPath` into `destDir`. Sizes come from the bytes actually inflated: yauzl's
 * validateEntrySizes stops an entry that inflates past the size its header declares, and the
 * budget stops the total at `maxTotalBytes` or `maxCompressionRatio` × the zip's size on disk.
 */
export async function unpackZip(zipPath: string, destDir: string, limits: UploadLimits): Promise<StagedFile[]> {
  let zip: ZipFile | undefined;
  try {
    // decodeStrings off: names are decoded and checked by us, so every refusal has our code and wording.
    zip = await yauzl.openPromise(zipPath, { lazyEntries: true, validateEntrySizes: true, decodeStrings: false, autoClose: false });
    zip.on('error', () => { /* reported through nextEntry; never an unhandled 'error' */ });
    const opened = zip;
    const budget = new UploadBudget(limits, () => opened.fileSize);
    const files: StagedFile[] = [];
    for (let entry = await nextEntry(zip); entry; entry = await nextEntry(zip)) {
      const file = await unpackEntry(zip, entry, destDir, budget, limits);
      if (file) files.push(file);
    }
    return files;
  } catch (error) {
    throw archiveFailure(error, 'zip');
  } finally {
    if (zip?.isOpen) zip.close();
  }
}

async function unpackEntry(zip: ZipFile, entry: Entry, destDir: string, budget: UploadBudget, limits: UploadLimits): Promise<StagedFile | undefined> {
  const rawName = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, true);
  budget.countEntry(rawName);
  const kind = entryKind(entry, rawName);
  const path = normalizeEntryName(rawName, limits, kind);
  if (kind === 'directory') {
    budget.claimFolder(path);
    return undefined;
  }
  budget.claimFile(path);
  if (entry.isEncrypted() || (entry.compressionMethod !== STORED && entry.compressionMethod !== DEFLATED)) {
    throw new UploadError('E_UPLOAD_ARCHIVE_UNSUPPORTED',
      `upload entry ${describeName(path)} is encrypted or uses compression method ${entry.compressionMethod}; ` +
      'make a zip without a password, with the usual (deflate) compression');
  }
  const stream = await zip.openReadStreamPromise(entry);
  // Inflating starts before the writer reads: a size lie can fail the stream while the file is
  // still being created. The writer's loop still sees that error (an errored stream rethrows it).
  stream.on('error', () => undefined);
  try {
    return await writeStagedFile(stream, destDir, path, budget);
  } finally {
    stream.destroy();
  }
}

/** File or folder from the Unix mode (when the zip was made on Unix) and the trailing `/`; anything else is refused. */
function entryKind(entry: Entry, rawName: string): EntryKind {
  const mode = UNIX_HOSTS.has(entry.versionMadeBy >>> 8) ? (entry.externalFileAttributes >>> 16) & S_IFMT : 0;
  if (mode === S_IFLNK) refuseEntryType(rawName, 'a symbolic link');
  if (mode !== 0 && mode !== S_IFREG && mode !== S_IFDIR) refuseEntryType(rawName, `a special file (mode 0${mode.toString(8)})`);
  return mode === S_IFDIR || rawName.endsWith('/') ? 'directory' : 'file';
}

/** The next central-directory entry, or null at the end (yauzl's lazyEntries protocol). */
function nextEntry(zip: ZipFile): Promise<Entry | null> {
  return new Promise((resolve, reject) => {
    const settle = (): void => {
      zip.off('entry', onEntry);
      zip.off('end', onEnd);
      zip.off('error', onError);
    };
    const onEntry = (entry: Entry): void => { settle(); resolve(entry); };
    const onEnd = (): void => { settle(); resolve(null); };
    const onError = (error: Error): void => { settle(); reject(error); };
    zip.on('entry', onEntry);
    zip.on('end', onEnd);
    zip.on('error', onError);
    zip.readEntry();
  });
}
