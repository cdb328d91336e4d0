// Refuses at upload (422) what can never be graded, so the student hears it at once rather than
// after a queue: an `entry` that is not one of the uploaded files, and, as the assignment's grader
// snapshot says what its submissions must hold, an upload with no source file of its language at
// its top level or without the grader's own entry file. Anything subtler (a source that is not
// text, a Java class without main) is the grading's to tell, as a compile error.
import { extname } from 'node:path';

import { listed } from '../../common/listed.js';
import type { SubmissionRule } from '../../store/store.js';
import { HttpError } from '../http-errors.js';

const quoted = (text: string): string => JSON.stringify(text);

/** The upload's `entry` field as a path of the upload (NFC, as file names are); an empty field is none. */
export function uploadedEntry(fields: Record<string, string>, paths: readonly string[]): string | undefined {
  const entry = fields.entry?.normalize('NFC');
  if (entry === undefined || entry === '') return undefined;
  if (!paths.includes(entry)) {
    throw new HttpError(422, 'E_UPLOAD_ENTRY_UNKNOWN',
      `the entry ${quoted(entry)} is not one of the uploaded files (${listed(paths)}); name the file the program starts from by its path in the upload`);
  }
  return entry;
}

/** Checks the upload against what the assignment's submissions must hold; no rule (an older snapshot): nothing to check. */
export function checkGradable(rule: SubmissionRule | undefined, assignment: string, paths: readonly string[], entry: string | undefined): void {
  if (!rule) return;
  const extensions = listed(rule.extensions, { conjunction: 'or' });
  const isSource = (path: string) => !path.includes('/') && rule.extensions.includes(extname(path));
  if (!paths.some(isSource)) {
    throw new HttpError(422, 'E_UPLOAD_WRONG_LANGUAGE',
      `assignment ${quoted(assignment)} is graded as ${rule.language}: upload its ${extensions} source files, at the top of the submission (this upload has ${listed(paths)})`);
  }
  if (rule.entry !== null && !paths.includes(rule.entry)) {
    throw new HttpError(422, 'E_UPLOAD_ENTRY_MISSING',
      `assignment ${quoted(assignment)} starts every program from ${rule.entry}: upload a file named ${rule.entry}, at the top of the submission`);
  }
  if (rule.entry === null && entry !== undefined && !isSource(entry)) {
    throw new HttpError(422, 'E_UPLOAD_ENTRY_NOT_SOURCE',
      `the entry ${quoted(entry)} is not a ${rule.language} source file (${extensions}) at the top of the submission; name one of those`);
  }
}
