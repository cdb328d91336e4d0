// The entry rule of the languages whose program is one of its source files (Python, JavaScript):
// the file the grader or the submission names, else the only file, else the one named main.
import { basename, extname } from 'node:path';

import { listed } from '../../common/listed.js';
import type { Submission } from './language-record.js';
import { SubmissionFault } from './submission-fault.js';

/** The source file to run. */
export function entryFile({ sources, entry }: Submission, language: { name: string; extensions: readonly string[] }): string {
  if (entry !== null) return entry;
  if (sources.length === 1) return sources[0]!;
  const mains = sources.filter((name) => basename(name, extname(name)) === 'main');
  if (mains.length === 1) return mains[0]!;
  const which = mains.length === 0 ? `none is named main${language.extensions[0]}` : `${listed(mains)} are all named main`;
  throw new SubmissionFault('E_SUBMISSION_AMBIGUOUS',
    `The submission has several ${language.name} files (${listed(sources)}) and ${which}, so it is not clear which one the program starts from: `
    + `name the entry file when you submit, or call it main${language.extensions[0]}.`);
}
