// The entry rule of the languages whose program is one of its source files (Python, JavaScript).
import { basename, extname } from 'node:path';

import { UserError } from '../../common/errors.js';
import type { Submission } from './language-record.js';

/** The one source file to run: main.EXT when there are several. */
export function entryFile({ sources }: Submission, language: { name: string; extensions: readonly string[] }): string {
  if (sources.length === 1) return sources[0]!;
  const main = sources.find((name) => basename(name, extname(name)) === 'main');
  if (!main) throw new UserError('E_SUBMISSION_AMBIGUOUS', `the submission has several ${language.name} files and none is named main: name the entry file main${language.extensions[0]}`);
  return main;
}
