// The file contents a new submission brings with it (small files, stored in its transaction), the
// same check for every backend.
import { createHash } from 'node:crypto';

import { UserError } from '../common/errors.js';
import { quote } from './input-checks.js';
import type { NewSubmissionFile } from './store.js';

/**
 * The contents a new submission brings, by sha256, each checked against the digest and size it
 * claims: what is stored under a digest is always what the digest names.
 */
export function broughtContents(files: readonly NewSubmissionFile[]): Map<string, Buffer> {
  const contents = new Map<string, Buffer>();
  for (const file of files) {
    if (file?.content === undefined) continue;
    if (!Buffer.isBuffer(file.content)) throw new UserError('E_BAD_INPUT', `the content of ${quote(file.path)} is not bytes`);
    const actual = createHash('sha256').update(file.content).digest('hex');
    if (actual !== file.sha256 || file.content.length !== file.size) {
      throw new UserError('E_BAD_INPUT', `the content given for ${quote(file.path)} has sha256 ${actual} and ${file.content.length} bytes, not the ${String(file.sha256)} and ${String(file.size)} it claims`);
    }
    contents.set(actual, file.content);
  }
  return contents;
}
