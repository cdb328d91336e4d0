// Receives a submission upload: several plain files or exactly one archive, written into a staging folder.
import { createWriteStream, mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { archiveKindOf, type ArchiveKind } from '../../intake/archive-kind.js';
import { unpackArchive } from '../../intake/archive-unpacker.js';
import { describeName, normalizeEntryName } from '../../intake/safe-names.js';
import { writeStagedFile, type MemoryAllowance, type StagedFile } from '../../intake/staged-file-writer.js';
import { UploadBudget } from '../../intake/upload-budget.js';
import { UploadError } from '../../intake/upload-error.js';
import { resolveUploadLimits, type UploadLimits } from '../../intake/upload-limits.js';
import { readMultipart, type UploadRequest } from './multipart-reader.js';

/** A received submission: its text fields and its files, in memory or under `stagingDir/files/`. */
export interface ReceivedUpload {
  fields: Record<string, string>;
  files: StagedFile[];
  /** The file name of the archive the files came in; undefined for plain files. */
  archiveName?: string;
}

/**
 * Reads a `POST /v1/submissions` multipart body into `stagingDir`, a folder that does not exist
 * yet: it is made only when something goes to disk, and the caller removes it afterwards if it
 * exists (nothing is written outside it). Small plain files stay in memory (up to
 * `limits.memoryBytes` in all), the others land in `stagingDir/files/<path>`;
 * an archive (`.zip`, `.tar.gz`/`.tgz`, `.tar`, by file name) is spooled to `stagingDir/archive`,
 * unpacked there and deleted. The field name of a file part does not matter. A file part without a
 * file name and without content (a browser's unused file input) is ignored.
 *
 * Refusals are {@link UploadError}s carrying an HTTP `status`; files written before a refusal may
 * remain in `stagingDir`. The request stream is always released (see readMultipart).
 */
export async function readSubmissionUpload(
  request: UploadRequest,
  stagingDir: string,
  limits?: Partial<UploadLimits>,
): Promise<ReceivedUpload> {
  const receiver = new SubmissionReceiver(stagingDir, resolveUploadLimits(limits));
  await readMultipart(request, receiver, receiver.limits);
  return receiver.finish();
}

/** The parts of one upload as they arrive: fields, plain files, or the one archive. */
class SubmissionReceiver {
  private readonly fields = new Map<string, string>();
  private readonly files: StagedFile[] = [];
  private plainFiles = 0;
  private archive: { kind: ArchiveKind; path: string; fileName: string } | undefined;
  private readonly budget: UploadBudget;
  private readonly memory: MemoryAllowance;
  private readonly filesDir: string;

  constructor(
    private readonly stagingDir: string,
    readonly limits: UploadLimits,
  ) {
    this.budget = new UploadBudget(limits);
    this.memory = { bytesLeft: limits.memoryBytes };
    this.filesDir = join(stagingDir, 'files');
  }

  onField(name: string, value: string): void {
    if (this.fields.has(name)) {
      throw new UploadError('E_UPLOAD_FIELD_DUPLICATE', `upload field ${JSON.stringify(name)} is sent twice; send it once`);
    }
    this.fields.set(name, value);
  }

  async onFile(fileName: string | undefined, stream: Readable): Promise<void> {
    if (fileName === undefined || fileName === '') return skipEmptyPart(stream);
    const kind = archiveKindOf(fileName);
    this.checkNotMixed(fileName, kind !== undefined);
    if (kind) {
      this.archive = { kind, path: join(this.stagingDir, 'archive'), fileName };
      mkdirSync(this.stagingDir, { recursive: true, mode: 0o700 });
      await pipeline(stream, createWriteStream(this.archive.path, { flags: 'wx', mode: 0o600 }));
      return;
    }
    const slot = this.plainFiles++;
    this.budget.countEntry(fileName);
    const path = normalizeEntryName(fileName, this.limits);
    this.budget.claimFile(path);
    this.files[slot] = await writeStagedFile(stream, this.filesDir, path, this.budget, this.memory);
  }

  /** Unpacks the archive if one came, and checks that there is something to grade. */
  async finish(): Promise<ReceivedUpload> {
    if (this.archive) {
      try {
        this.files.push(...await unpackArchive(this.archive.path, this.archive.kind, this.filesDir, this.limits));
      } finally {
        await rm(this.archive.path, { force: true });
      }
    }
    if (this.files.length === 0) {
      throw new UploadError('E_UPLOAD_NO_FILES', 'upload has no file; attach the submission\'s files or one archive of them');
    }
    return { fields: Object.fromEntries(this.fields), files: this.files, archiveName: this.archive?.fileName };
  }

  private checkNotMixed(fileName: string, isArchive: boolean): void {
    if (this.archive || (isArchive && this.plainFiles > 0)) {
      const first = this.archive ? describeName(this.archive.fileName) : 'plain files';
      throw new UploadError('E_UPLOAD_MIXED',
        `upload mixes ${first} with ${describeName(fileName)}; send either plain files or exactly one archive`);
    }
  }
}

/** A part without a file name is accepted only when empty: anything in it would be a nameless file. */
async function skipEmptyPart(stream: Readable): Promise<void> {
  for await (const chunk of stream) {
    if ((chunk as Buffer).byteLength > 0) {
      throw new UploadError('E_UPLOAD_NAME_EMPTY', 'upload file part has content but no file name; give every file a name');
    }
  }
}
