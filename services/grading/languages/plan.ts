// How one submission is built and run: its language's record applied to its files, with the
// grader's own build or run command in place of the language's where it gives one, and the entry
// file the grader or the submission names. A fault of the submission (no source, no entry point)
// is part of the plan, to be graded CE: never an error that stops the grading.
import { listed } from '../../common/listed.js';
import type { LanguageRecord } from './language-record.js';
import { languageRecord, type Language } from './registry.js';
import { extensionsOf, readSources, type SourceFiles } from './source-files.js';
import { SubmissionFault } from './submission-fault.js';

export interface LanguagePlan {
  /** The language the submission is graded in (a grader may take several). */
  language: Language;
  /** The build step, or none (nothing to build, or nothing that can be built: see `fault`). */
  build: string[] | null;
  /** Seccomp policy of the build step. */
  buildPolicy: string;
  /** Added to the build's canonical environment. */
  buildEnv: Readonly<Record<string, string>>;
  /** How each test runs the program, in /box; empty when there is a fault. */
  run: string[];
  /** Seccomp policy of the test runs. */
  policy: string;
  /** The built file whose ELF runtime layer the tests run on; null: the default root. */
  elfBinary: string | null;
  /**
   * What is wrong with the submission (for the student): it is graded CE with this message, after
   * the build's own errors when it can be built (a compiler's message says more than "no main").
   */
  fault: string | null;
}

export interface PlanOptions {
  /** The grader's build command, with `{main}` and `{sources}`. */
  build?: string[] | undefined;
  /** The grader's run command, with `{main}` and `{sources}`. */
  run?: string[] | undefined;
  /** The entry file (the grader's, else the submission's), a top-level name; none: the language's rule. */
  entry?: string | null | undefined;
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

/** The entry file named, if it is one of the sources. */
function checkedEntry(entry: string | null, files: SourceFiles, record: LanguageRecord): string | null {
  if (entry === null || files.sources.includes(entry)) return entry;
  const what = files.names.includes(entry) ? `is not a ${record.name} source file (${extensionsOf(record)})` : 'is not in the submission, at its top level';
  throw new SubmissionFault('E_SUBMISSION_ENTRY', `The entry file ${entry} ${what}: name one of ${listed(files.sources)}.`);
}

/** The entry point as commands name it, or the fault that leaves the submission without one. */
function entryPoint(record: LanguageRecord, files: SourceFiles, entry: string | null): { main: string; fault: null } | { main: null; fault: string } {
  try {
    const submission = { sources: files.sources, entry: checkedEntry(entry, files, record), text: (name: string) => files.texts.get(name)! };
    return { main: record.main(submission), fault: null };
  } catch (error) {
    if (error instanceof SubmissionFault) return { main: null, fault: error.message };
    throw error;
  }
}

/** The grader's build or the language's; none when the grader's needs `{main}` and there is none. */
function buildCommand(record: LanguageRecord, own: string[] | undefined, sources: string[], main: string | null): string[] | null {
  if (!own) return record.build(sources);
  if (main === null && own.some((word) => word.includes('{main}'))) return null;
  return expand(own, main ?? '', sources);
}

/** A submission with nothing to build: graded CE with the fault's message. Rethrows any other error. */
export function faultPlan(language: Language, error: unknown): LanguagePlan {
  if (!(error instanceof SubmissionFault)) throw error;
  const record = languageRecord(language);
  return { language, build: null, buildPolicy: record.buildPolicy, buildEnv: {}, run: [], policy: record.policy, elfBinary: null, fault: error.message };
}

export function planFor(language: Language, submissionDir: string, memoryMb: number, options: PlanOptions): LanguagePlan {
  const record = languageRecord(language);
  let files: SourceFiles;
  try {
    files = readSources(submissionDir, record);
  } catch (error) {
    return faultPlan(language, error);
  }
  const { sources } = files;
  const { main, fault } = entryPoint(record, files, options.entry ?? null);
  const build = buildCommand(record, options.build, sources, main);
  const run = main === null ? [] : options.run ? expand(options.run, main, sources) : record.run(main, memoryMb);
  return { language, build, buildPolicy: record.buildPolicy, buildEnv: record.buildEnv ?? {}, run, policy: record.policy, elfBinary: main === null ? null : elfBinaryOf(record, run), fault };
}
