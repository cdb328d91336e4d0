// Checks a submission's file manifest before it is stored: shape, unique paths, caps, and that each
// file's blob is stored with the size the manifest claims.
import { UserError } from '../common/errors.js';
import { checkCount, checkFilePath, checkSha256, quote } from './input-checks.js';
import type { SubmissionFile } from './store.js';

export interface ManifestCaps {
  maxFiles: number;
  maxTotalBytes: number;
}

/** The checked files (copied, so a caller changing its array later changes nothing) and their total size. */
export function checkManifest(files: unknown, caps: ManifestCaps, blobSize: (sha256: string) => number | null): { files: SubmissionFile[]; totalBytes: number } {
  if (!Array.isArray(files) || files.length === 0) throw new UserError('E_BAD_INPUT', 'a submission needs at least one file; upload its source files');
  if (files.length > caps.maxFiles) {
    throw new UserError('E_TOO_MANY_FILES', `a submission may have at most ${caps.maxFiles} files, this one has ${files.length}; submit fewer files`);
  }
  const seen = new Set<string>();
  let totalBytes = 0;
  const checked = (files as SubmissionFile[]).map((file): SubmissionFile => {
    const path = checkFilePath(file?.path);
    if (seen.has(path)) throw new UserError('E_BAD_INPUT', `submission file path ${quote(path)} appears twice; give each file once`);
    seen.add(path);
    const sha256 = checkSha256(`digest of ${quote(path)}`, file.sha256);
    const size = checkCount(`size of ${quote(path)}`, file.size, 0);
    totalBytes += size;
    if (totalBytes > caps.maxTotalBytes) {
      throw new UserError('E_TOO_LARGE', `a submission may have at most ${caps.maxTotalBytes} bytes in all, this one has more; submit smaller files`);
    }
    const stored = blobSize(sha256);
    if (stored === null) throw new UserError('E_BLOB_MISSING', `file ${quote(path)} refers to blob ${sha256}, which is not stored; store the file with putBlob first`);
    if (stored !== size) throw new UserError('E_BAD_INPUT', `file ${quote(path)} is said to have ${size} bytes, but its blob has ${stored}; give the stored size`);
    return { path, sha256, size };
  });
  return { files: checked, totalBytes };
}

/** The entry file must be one of the submission's files. */
export function checkEntry(entry: unknown, files: readonly SubmissionFile[]): string {
  if (typeof entry !== 'string' || !files.some((file) => file.path === entry)) {
    throw new UserError('E_BAD_INPUT', `entry ${quote(entry)} is not one of the submission's files; name one of their paths, or none`);
  }
  return entry;
}
