// The language a submission is graded in: the grader's one language, or, when the grader takes
// several (a Kattis package's `languages: all`), the one its files' extensions name.
import { readdirSync } from 'node:fs';

import { UserError } from '../common/errors.js';
import type { GraderDefinition } from './grader-definition.js';
import type { Language } from './languages/registry.js';
import { extensionsOf, languageOfFiles } from './program-language.js';

/** Throws E_SUBMISSION_NO_SOURCE or E_SUBMISSION_AMBIGUOUS: the student's to fix. */
export function submissionLanguage(grader: Pick<GraderDefinition, 'language' | 'languages'>, submissionDir: string): Language {
  if (grader.languages.length === 1) return grader.language;
  const guess = languageOfFiles(readdirSync(submissionDir), grader.languages);
  if (guess.kind === 'one') return guess.language;
  if (guess.kind === 'several') {
    throw new UserError('E_SUBMISSION_AMBIGUOUS', `the submission has source files of several languages (${guess.languages.join(' and ')}); submit the files of one language`);
  }
  throw new UserError('E_SUBMISSION_NO_SOURCE', `the submission has no source file of a language this assignment takes (${extensionsOf(grader.languages)})`);
}
