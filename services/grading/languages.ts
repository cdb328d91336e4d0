// How each language is built and run: sensible defaults a grader may override. Policy in
// TypeScript: which compiler flags, which seccomp policy, which file is the program. A default
// build runs none of the student's code: no module or annotation processor is taken from /box
// (gcc, g++ and node --check execute nothing from it by themselves).
import { readdirSync, readFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';

import { UserError } from '../common/errors.js';
import type { Language } from './grader-definition.js';

export interface LanguagePlan {
  /** The build step (run under the `compile` policy), or none. */
  build: string[] | null;
  /** Seccomp policy of the build step. */
  buildPolicy: string;
  /** How each test runs the program, in /box. */
  run: string[];
  /** Seccomp policy of the test runs. */
  policy: string;
}

const EXTENSIONS: Record<Language, string[]> = {
  c: ['.c'],
  cpp: ['.cc', '.cpp', '.cxx'],
  python: ['.py'],
  java: ['.java'],
  javascript: ['.js', '.mjs'],
};

function sourcesIn(dir: string, language: Language): string[] {
  const sources = readdirSync(dir).filter((name) => EXTENSIONS[language].includes(extname(name))).sort();
  if (sources.length === 0) {
    throw new UserError('E_SUBMISSION_NO_SOURCE', `the submission has no ${EXTENSIONS[language].join(' or ')} file for language ${language}`);
  }
  return sources;
}

/** The one file to run: main.EXT when there are several. */
function entryFile(sources: string[], language: Language): string {
  if (sources.length === 1) return sources[0]!;
  const main = sources.find((name) => basename(name, extname(name)) === 'main');
  if (!main) throw new UserError('E_SUBMISSION_AMBIGUOUS', `the submission has several ${language} files and none is named main: name the entry file main${EXTENSIONS[language][0]}`);
  return main;
}

/** The Java class that declares main(String[]). */
function javaMainClass(dir: string, sources: string[]): string {
  for (const name of sources) {
    if (/\bstatic\s+void\s+main\s*\(\s*(final\s+)?String/.test(readFileSync(join(dir, name), 'utf8'))) return basename(name, '.java');
  }
  throw new UserError('E_SUBMISSION_NO_MAIN', 'no Java class of the submission declares public static void main(String[] args)');
}

/** The seccomp policy of a grader's own program (a checker, a harness), from the program it starts. */
export function policyForProgram(program: string): string {
  const name = basename(program);
  if (/^python3?(\.\d+)?$/.test(name)) return 'python';
  if (name === 'node') return 'node';
  if (name === 'java') return 'java';
  return 'default';
}

/** Fills `{main}` and `{sources}` in a grader's own build or run command. */
function expand(argv: string[], main: string, sources: string[]): string[] {
  return argv.flatMap((word) => (word === '{sources}' ? sources : [word.replaceAll('{main}', main)]));
}

export function planFor(language: Language, submissionDir: string, memoryMb: number, overrides: { build?: string[] | undefined; run?: string[] | undefined }): LanguagePlan {
  const sources = sourcesIn(submissionDir, language);
  let plan: LanguagePlan;
  switch (language) {
    case 'c':
      plan = { build: ['gcc', '-O2', '-std=gnu17', '-o', 'main', ...sources, '-lm'], buildPolicy: 'compile', run: ['./main'], policy: 'default' };
      break;
    case 'cpp':
      plan = { build: ['g++', '-O2', '-std=gnu++17', '-o', 'main', ...sources, '-lm'], buildPolicy: 'compile', run: ['./main'], policy: 'default' };
      break;
    case 'python': {
      const main = entryFile(sources, language);
      // A syntax error is a compile error, told before any test runs. -I (isolated): /box is not on
      // sys.path, so a submitted py_compile.py (or any module py_compile imports) is never run.
      plan = { build: ['python3', '-I', '-m', 'py_compile', ...sources], buildPolicy: 'python', run: ['python3', main], policy: 'python' };
      break;
    }
    case 'java': {
      const main = javaMainClass(submissionDir, sources);
      const heap = Math.max(32, Math.floor(memoryMb * 0.6));
      // -proc:none: no annotation processor from the class path (/box, where a submission could put
      // one with its META-INF/services entry) runs during the build.
      plan = { build: ['javac', '-proc:none', '-encoding', 'UTF-8', '-d', '.', ...sources], buildPolicy: 'java',
        run: ['java', `-Xmx${heap}m`, '-Xss64m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-cp', '.', main], policy: 'java' };
      break;
    }
    case 'javascript': {
      const main = entryFile(sources, language);
      plan = { build: ['node', '--check', main], buildPolicy: 'node', run: ['node', main], policy: 'node' };
      break;
    }
  }
  const main = plan.run[plan.run.length - 1]!;
  if (overrides.build) plan.build = expand(overrides.build, main, sources);
  if (overrides.run) plan.run = expand(overrides.run, main, sources);
  return plan;
}
