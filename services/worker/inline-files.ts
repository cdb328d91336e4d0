// Writes the files a grading job carries (a small submission) into the job's folder, trusting
// nothing: each path must be a normalized relative path and each content must have its sha256.
import { createHash } from 'node:crypto';
import { closeSync, constants, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { InternalError } from '../common/errors.js';
import { normalizeEntryName } from '../api/upload/safe-names.js';
import { resolveUploadLimits } from '../api/upload/upload-limits.js';
import type { InlineFile } from '../queue/grading-job.js';

// O_EXCL: a second file of the same name is an error, not an overwrite; O_NOFOLLOW: never through a link.
const CREATE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** Creates `dir` (it must not exist) holding `files`; returns it. Any mismatch is an InternalError (the API's fault). */
export function writeInlineFiles(files: InlineFile[], dir: string): string {
  const limits = resolveUploadLimits();
  mkdirSync(dir, { mode: 0o755 });
  for (const file of files) {
    let normalized: string;
    try {
      normalized = normalizeEntryName(file.path, limits);
    } catch (error) {
      throw new InternalError('E_JOB_FILES', `the job carries a file with an unsafe path: ${(error as Error).message}`);
    }
    if (normalized !== file.path) throw new InternalError('E_JOB_FILES', `the job carries a file path that is not normalized: ${JSON.stringify(file.path)}`);
    const bytes = Buffer.from(file.base64, 'base64');
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (sha256 !== file.sha256) throw new InternalError('E_JOB_FILES', `the job's ${file.path} has sha256 ${sha256}, not the ${file.sha256} it names`);
    const target = join(dir, ...normalized.split('/'));
    try {
      mkdirSync(dirname(target), { recursive: true, mode: 0o755 });
      const fd = openSync(target, CREATE, 0o644);
      try {
        writeFileSync(fd, bytes);
      } finally {
        closeSync(fd);
      }
    } catch (error) {
      throw new InternalError('E_JOB_FILES', `cannot write the job's ${file.path}: ${(error as Error).message}`, { cause: error });
    }
  }
  return dir;
}
