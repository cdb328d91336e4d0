// An uploaded grader: one .zip (or .tar.gz) of the grader folder, unpacked with the upload
// unpacker's checks (no links, no escapes, caps) into the request's staging folder, then read,
// checked and snapshotted by the same code as `gradebox assignments add` (grading/grader-snapshot.ts)
// (a Kattis problem package is first made a grader folder, as `gradebox import kattis` makes it),
// and its sample submissions listed with their verdicts. The API reads the grader; it never runs it.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

import type { Request } from 'express';

import { UserError } from '../../common/errors.js';
import { graderSamples, type FolderSample } from '../../grading/grader-samples.js';
import { importKattisPackage } from '../../grading/kattis/kattis-import.js';
import { snapshotGrader, type MadeSnapshot } from '../../grading/grader-snapshot.js';
import type { UploadLimits } from '../../intake/upload-limits.js';
import { DEFAULT_STORE_OPTIONS } from '../../store/store-options.js';
import { HttpError } from '../http-errors.js';
import { readSubmissionUpload } from '../upload/submission-upload.js';

const MiB = 1024 * 1024;

/** A grader carries its tests' inputs and outputs: roomier caps than a student's upload. */
const GRADER_UPLOAD_LIMITS: Partial<UploadLimits> = {
  maxBodyBytes: 64 * MiB, maxEntries: 20_000, maxFileBytes: 64 * MiB, maxTotalBytes: 256 * MiB, maxPathDepth: 32,
};

/** Package formats other than a grader folder, made into one by an importer (a library function taking the package's folder). */
type PackageImporter = (packageDir: string, outDir: string) => Promise<void>;

/**
 * A Kattis problem package becomes a grader folder as `gradebox import kattis` makes it. The API
 * runs no sandbox, so a package that declares no time limit (the CLI times its accepted programs
 * then) is refused with the way around it.
 */
const PACKAGE_IMPORTERS: Partial<Record<string, PackageImporter>> = {
  kattis: async (packageDir, outDir) => {
    // Its refusals are UserErrors naming files of the upload: unprocessable() words them.
    if (!importKattisPackage(packageDir, outDir).timeLimit) {
      throw new HttpError(422, 'E_PACKAGE_NO_TIME_LIMIT', 'the package declares no time limit (.timelimit, or limits.time_limit in problem.yaml): add one, or import it with gradebox import kattis, which times its accepted programs, and upload the grader folder it makes');
    }
  },
};

export interface ReceivedGrader {
  /** The form's text fields (name, format, due_at). */
  fields: Record<string, string>;
  /** The archive's file name, for people (`upload:NAME` is the assignment's grader source). */
  fileName: string;
  snapshot: MadeSnapshot;
  samples: FolderSample[];
}

/** grader.yaml at the top of the archive, or in its one folder (as zipping a folder makes it). */
function graderFolder(unpacked: string, expect: string): string {
  if (existsSync(join(unpacked, expect))) return unpacked;
  const entries = readdirSync(unpacked);
  if (entries.length === 1 && statSync(join(unpacked, entries[0]!)).isDirectory() && existsSync(join(unpacked, entries[0]!, expect))) {
    return join(unpacked, entries[0]!);
  }
  throw new HttpError(422, 'E_GRADER_NOT_FOUND', `the archive has no ${expect} at its top or in its one folder; zip the grader folder itself`);
}

/** A grader's own error as a 422, its message without the staging folder's path (a host path). */
function unprocessable(error: unknown, staging: string): unknown {
  if (!(error instanceof UserError) || error instanceof HttpError) return error;
  const message = error.message.split(`${staging}/files/`).join('').split(staging).join('(upload)');
  return new HttpError(422, error.code, message);
}

async function importPackage(format: string, packageDir: string, staging: string): Promise<string> {
  const importer = PACKAGE_IMPORTERS[format];
  if (!importer) {
    throw new HttpError(422, 'E_FORMAT_UNSUPPORTED', `this gradebox cannot import ${format} packages here yet: import the package with gradebox import ${format} and upload the grader folder it makes`);
  }
  const out = join(staging, 'imported');
  await importer(packageDir, out);
  return out;
}

/** Reads the upload into `staging` (made here; the caller removes it) and checks the grader in it. */
export async function receiveGrader(req: Request, staging: string, limits?: Partial<UploadLimits>): Promise<ReceivedGrader> {
  const upload = await readSubmissionUpload({ headers: req.headers, stream: req }, staging, { ...GRADER_UPLOAD_LIMITS, ...limits });
  if (!upload.archiveName) throw new HttpError(400, 'E_GRADER_NOT_ARCHIVE', 'send the grader folder as one .zip (or .tar.gz) file in the field "grader"');
  const format = upload.fields.format ?? 'gradebox';
  if (format !== 'gradebox' && format !== 'kattis') throw new HttpError(400, 'E_BAD_REQUEST', `format "${format}" is unknown; use gradebox or kattis`);
  try {
    const unpacked = join(staging, 'files');
    const root = format === 'gradebox' ? graderFolder(unpacked, 'grader.yaml') : await importPackage(format, graderFolder(unpacked, 'problem.yaml'), staging);
    const snapshot = await snapshotGrader(root, DEFAULT_STORE_OPTIONS.maxBlobBytes);
    return { fields: upload.fields, fileName: upload.archiveName, snapshot, samples: graderSamples(root) };
  } catch (error) {
    throw unprocessable(error, staging);
  }
}
