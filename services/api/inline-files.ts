// A small submission's files, read from the store into its grading job (see INLINE_FILES_MAX_BYTES):
// the worker then grades it without a round trip back to the API.
import { readFileSync } from 'node:fs';

import { INLINE_FILES_MAX_BYTES, type InlineFile } from '../protocol/grading-job.js';
import type { Store } from '../store/store.js';

/**
 * The files of `submissionId` for its job, or undefined when they are too big to travel inline
 * (or a blob is missing: the worker then asks the API, and the failure is reported there, where
 * it belongs, instead of holding up the outbox).
 */
export async function inlineFilesOf(store: Store, submissionId: string): Promise<InlineFile[] | undefined> {
  const files = await store.listSubmissionFiles(submissionId);
  if (files.length === 0 || files.reduce((sum, f) => sum + f.size, 0) > INLINE_FILES_MAX_BYTES) return undefined;
  const inline: InlineFile[] = [];
  for (const file of files) {
    const blob = await store.getBlob(file.sha256);
    if (!blob) return undefined;
    // At most 16 KiB in all, from local disk: a synchronous read costs less than a trip to the thread pool.
    const bytes = blob.content ?? readFileSync(blob.path);
    if (bytes.length !== file.size) return undefined;
    inline.push({ path: file.path, sha256: file.sha256, base64: bytes.toString('base64') });
  }
  return inline;
}
