// `gradebox import kattis`: a Kattis problem package (problemarchive.org; used by Kattis, DOMjudge
// and the ICPC) becomes a grader folder. Samples are visible tests and secret cases hidden ones;
// the default validator's flags become checker options, a custom validator a Kattis-protocol
// custom checker (or, for an interactive problem, the interactor) built once per grader digest;
// the limits come from the package; submissions/ comes along as the grader's self-test programs.
// This step reads and writes files only (no sandbox): a caller that must time the accepted
// submissions (a package that declares no time limit) does so with the grader it wrote.
import { basename, join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { Document } from 'yaml';

import { UserError } from '../../common/errors.js';
import { LIMIT_RANGES } from '../../protocol/limit-ranges.js';
import { emptyFolder } from '../datasets/harness-grader-folder.js';
import { defaultValidatorChecker, type CheckerSettings } from './default-validator.js';
import { copyEntry, copyFile, kindOf, packageRoot } from './package-files.js';
import { readProblem, type KattisProblem } from './problem-yaml.js';
import { testCases, type TestCase } from './test-data.js';
import { declaredTimeLimit, type TimeLimit } from './time-limit.js';
import { copyValidator, VALIDATOR_FOLDER } from './validator-program.js';

export interface KattisImportOptions {
  /** Seconds: replaces what the package says. */
  timeLimit?: TimeLimit | undefined;
  /** The grader's multiplier on the package's time limit (a slower grading host). @defaultValue 1 */
  timeMultiplier?: number | undefined;
}

export interface KattisImport {
  graderDir: string;
  problem: KattisProblem;
  tests: number;
  /** null: the package declares none; the grader has a provisional limit until its accepted submissions are timed. */
  timeLimit: TimeLimit | null;
  /** Kattis language codes gradebox does not have, left out. */
  droppedLanguages: string[];
}

/** While the accepted submissions are being timed: roomy, and the most a test may take here. */
export const PROVISIONAL_TIME_LIMIT: TimeLimit = { seconds: 10, from: 'provisional, to time the accepted submissions' };

/** Kattis language codes (the format's languages table) → gradebox's languages. */
const LANGUAGE_CODES: Record<string, string> = { c: 'c', cpp: 'cpp', 'c++': 'cpp', java: 'java', python3: 'python', javascript: 'javascript', go: 'go' };

/** Kattis's typical system defaults where the package gives none (memory: 1 GiB here, not 2). */
const DEFAULT_MEMORY_MB = 1024;
const DEFAULT_OUTPUT_MB = 8;

function clamp(value: number, key: keyof typeof LIMIT_RANGES): number {
  return Math.min(LIMIT_RANGES[key].max, Math.max(LIMIT_RANGES[key].min, Math.round(value)));
}

function limitsOf(problem: KattisProblem, time: TimeLimit, multiplier: number): Record<string, number> {
  const cpuMs = clamp(time.seconds * 1000 * multiplier, 'cpuMs');
  return {
    cpu_ms: cpuMs,
    // Room beyond the CPU time for start-up and I/O waits (an interactive submission waits on its partner).
    wall_ms: clamp(cpuMs * 2 + 1000, 'wallMs'),
    memory_mb: clamp(problem.limits.memory ?? DEFAULT_MEMORY_MB, 'memoryMb'),
    output_kb: clamp((problem.limits.output ?? DEFAULT_OUTPUT_MB) * 1024, 'outputKb'),
  };
}

function languagesOf(problem: KattisProblem, file: string): { language: string | string[]; dropped: string[] } {
  if (problem.languages === undefined) return { language: 'any', dropped: [] };
  const ours = [...new Set(problem.languages.flatMap((code) => LANGUAGE_CODES[code] ?? []))];
  if (ours.length === 0) throw new UserError('E_KATTIS_UNSUPPORTED', `${file}: languages ${problem.languages.join(', ')}: gradebox has none of them (it has ${Object.keys(LANGUAGE_CODES).join(', ')})`);
  return { language: ours, dropped: problem.languages.filter((code) => !LANGUAGE_CODES[code]) };
}

function testEntry(test: TestCase, checker: CheckerSettings | 'custom' | 'interactive'): Record<string, unknown> {
  return {
    name: test.name,
    stdin: test.input,
    ...(test.answer ? { expect: test.answer } : {}),
    // A copy each: one object written twice would come out as a YAML anchor and alias.
    ...(checker === 'interactive' ? {} : checker === 'custom' ? { checker: 'custom' } : structuredClone(checker)),
    ...(test.secret ? { visibility: 'hidden' } : {}),
  };
}

function graderYaml(source: string, problem: KattisProblem, cases: TestCase[], time: TimeLimit, multiplier: number, language: string | string[]): string {
  const checker = problem.interactive ? 'interactive' : problem.customValidation ? 'custom' : defaultValidatorChecker(problem.validatorFlags, join(source, 'problem.yaml'));
  const validator = { dir: VALIDATOR_FOLDER, ...(problem.validatorFlags.length ? { args: problem.validatorFlags } : {}) };
  const limits = limitsOf(problem, time, multiplier);
  const doc = new Document({
    language,
    ...(problem.interactive ? { mode: 'interactive', interactor: validator } : {}),
    limits,
    ...(checker === 'custom' ? { custom_checker: { ...validator, protocol: 'kattis' } } : {}),
    tests: cases.map((test) => testEntry(test, checker)),
  });
  doc.commentBefore = [
    ` Made by gradebox import kattis from the problem package "${problem.name}" (${basename(source)}).`,
    ` Time limit: ${time.seconds} s (${time.from})${multiplier === 1 ? '' : ` × ${multiplier} (--time-multiplier)`}: ${limits.cpu_ms} ms of CPU time per test.`,
  ].join('\n');
  // One line per test and per mapping of settings: a package's hundred tests stay readable.
  for (const path of [['limits'], ['interactor'], ['custom_checker']]) {
    const node = doc.getIn(path, true) as { flow?: boolean } | undefined;
    if (node) node.flow = true;
  }
  for (const item of (doc.get('tests', true) as { items: Array<{ flow?: boolean }> }).items) item.flow = true;
  return doc.toString({ lineWidth: 0 });
}

/** Writes the grader for the package in `packageDir` into `outDir` (missing or empty). */
export function importKattisPackage(packageDir: string, outDir: string, options: KattisImportOptions = {}): KattisImport {
  const root = packageRoot(packageDir);
  const problem = readProblem(root, basename(root));
  const cases = testCases(root, problem.interactive);
  const declared = options.timeLimit ?? declaredTimeLimit(root, problem);
  const multiplier = options.timeMultiplier ?? 1;
  if (!(multiplier > 0 && Number.isFinite(multiplier))) throw new UserError('E_KATTIS_INVALID', `time multiplier ${multiplier}: give a number above 0, such as 1.5`);
  const { language, dropped } = languagesOf(problem, join(root, 'problem.yaml'));
  const yaml = graderYaml(root, problem, cases, declared ?? PROVISIONAL_TIME_LIMIT, declared ? multiplier : 1, language);
  emptyFolder(outDir);
  for (const test of cases) {
    copyFile(root, test.input, outDir, test.input);
    if (test.answer) copyFile(root, test.answer, outDir, test.answer);
  }
  if (problem.customValidation) copyValidator(root, outDir);
  if (kindOf(root, 'submissions') === 'folder') copyEntry(root, 'submissions', outDir, 'submissions');
  writeFileSync(join(outDir, 'grader.yaml'), yaml);
  return { graderDir: outDir, problem, tests: cases.length, timeLimit: declared ?? null, droppedLanguages: dropped };
}
