// How one submission is built and run: its language's record applied to its files, with the
// grader's own build or run command in place of the language's where it gives one.
import { readdirSync } from 'node:fs';
import { extname } from 'node:path';

import { UserError } from '../../common/errors.js';
import type { LanguageRecord } from './language-record.js';
import { languageRecord, type Language } from './registry.js';

export interface LanguagePlan {
  /** The build step, or none. */
  build: string[] | null;
  /** Seccomp policy of the build step. */
  buildPolicy: string;
  /** Added to the build's canonical environment. */
  buildEnv: Readonly<Record<string, string>>;
  /** How each test runs the program, in /box. */
  run: string[];
  /** Seccomp policy of the test runs. */
  policy: string;
  /** The built file whose ELF runtime layer the tests run on; null: the default root. */
  elfBinary: string | null;
}

function sourcesIn(dir: string, record: LanguageRecord): string[] {
  const sources = readdirSync(dir).filter((name) => record.extensions.includes(extname(name))).sort();
  if (sources.length === 0) {
    throw new UserError('E_SUBMISSION_NO_SOURCE', `the submission has no ${record.extensions.join(' or ')} file for language ${record.name}`);
  }
  return sources;
}

/** Fills `{main}` and `{sources}` in a grader's own build or run command. */
function expand(argv: string[], main: string, sources: string[]): string[] {
  return argv.flatMap((word) => (word === '{sources}' ? sources : [word.replaceAll('{main}', main)]));
}

/** The ELF runtime layer serves a test that runs exactly the language's built binary, nothing else. */
function elfBinaryOf(record: LanguageRecord, run: string[]): string | null {
  if (record.runtime.kind !== 'elf') return null;
  const { binary } = record.runtime;
  return run.length === 1 && run[0] === `./${binary}` ? binary : null;
}

export function planFor(language: Language, submissionDir: string, memoryMb: number, overrides: { build?: string[] | undefined; run?: string[] | undefined }): LanguagePlan {
  const record = languageRecord(language);
  const submission = { dir: submissionDir, sources: sourcesIn(submissionDir, record) };
  const main = record.main(submission);
  const build = overrides.build ? expand(overrides.build, main, submission.sources) : record.build(submission, main);
  const run = overrides.run ? expand(overrides.run, main, submission.sources) : record.run(main, memoryMb);
  return { build, buildPolicy: record.buildPolicy, buildEnv: record.buildEnv ?? {}, run, policy: record.policy, elfBinary: elfBinaryOf(record, run) };
}
