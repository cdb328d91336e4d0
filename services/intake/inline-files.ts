// Writes the files a grading job carries (a small submission) into the job's folder, trusting
// nothing: the same name checks, caps and writer as an upload or a downloaded tar (paths must
// also be normalized already), and each content must have its sha256.
import { mkdirSync } from 'node:fs';
import { Readable } from 'node:stream';

import { InternalError } from '../common/errors.js';
import type { InlineFile } from '../protocol/grading-job.js';
import { normalizeEntryName } from './safe-names.js';
import { writeStagedFile } from './staged-file-writer.js';
import { UploadBudget } from './upload-budget.js';
import { resolveUploadLimits } from './upload-limits.js';

/** Creates `dir` (it must not exist) holding `files`; returns it. Any mismatch is an InternalError (the API's fault). */
export async function writeInlineFiles(files: InlineFile[], dir: string): Promise<string> {
  const limits = resolveUploadLimits();
  const budget = new UploadBudget(limits);
  mkdirSync(dir, { mode: 0o755 });
  for (const file of files) {
    let path: string;
    try {
      path = normalizeEntryName(file.path, limits);
    } catch (error) {
      throw new InternalError('E_JOB_FILES', `the job carries a file with an unsafe path: ${(error as Error).message}`);
    }
    if (path !== file.path) throw new InternalError('E_JOB_FILES', `the job carries a file path that is not normalized: ${JSON.stringify(file.path)}`);
    let sha256: string;
    try {
      budget.countEntry(path);
      budget.claimFile(path);
      ({ sha256 } = await writeStagedFile(Readable.from([Buffer.from(file.base64, 'base64')]), dir, path, budget));
    } catch (error) {
      throw new InternalError('E_JOB_FILES', `cannot write the job's ${file.path}: ${(error as Error).message}`, { cause: error });
    }
    if (sha256 !== file.sha256) throw new InternalError('E_JOB_FILES', `the job's ${file.path} has sha256 ${sha256}, not the ${file.sha256} it names`);
  }
  return dir;
}
