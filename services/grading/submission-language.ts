// The language a submission is graded in: the grader's one language, or, when the grader takes
// several (a Kattis package's `languages: all`), the one its files' extensions name. A submission
// in none of them, or in several, is the student's compile error like any other submission fault.
import { readdirSync } from 'node:fs';

import type { GraderDefinition } from './grader-definition.js';
import { faultPlan, planFor, type LanguagePlan, type PlanOptions } from './languages/plan.js';
import type { Language } from './languages/registry.js';
import { SubmissionFault } from './languages/submission-fault.js';
import { extensionsOf, languageOfFiles } from './program-language.js';

/** Throws a SubmissionFault (E_SUBMISSION_AMBIGUOUS, E_SUBMISSION_NO_SOURCE): the student's to fix. */
function submissionLanguage(grader: Pick<GraderDefinition, 'language' | 'languages'>, submissionDir: string): Language {
  if (grader.languages.length === 1) return grader.language;
  const guess = languageOfFiles(readdirSync(submissionDir), grader.languages);
  if (guess.kind === 'one') return guess.language;
  if (guess.kind === 'several') {
    throw new SubmissionFault('E_SUBMISSION_AMBIGUOUS', `The submission has source files of several languages (${guess.languages.join(' and ')}): submit the files of one language.`);
  }
  throw new SubmissionFault('E_SUBMISSION_NO_SOURCE', `The submission has no source file of a language this assignment takes (${extensionsOf(grader.languages)}).`);
}

/** How the submission is built and run, in its language; a plan with a fault when it has none. */
export function submissionPlan(grader: Pick<GraderDefinition, 'language' | 'languages'>, submissionDir: string, memoryMb: number, options: PlanOptions): LanguagePlan {
  let language: Language;
  try {
    language = submissionLanguage(grader, submissionDir);
  } catch (error) {
    return faultPlan(grader.language, error);
  }
  return planFor(language, submissionDir, memoryMb, options);
}
