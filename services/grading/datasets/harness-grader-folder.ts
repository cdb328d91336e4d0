// Writes one harness-mode grader folder for a Python task of a dataset: grader.yaml, the runner
// (run_tests.py), the task's tests, a README naming the source and license, and the reference
// solution as a submission.
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { UserError } from '../../common/errors.js';
import { fromPackageRoot } from '../../common/package-root.js';

/** The runner every generated folder carries a copy of (a grader folder must be self-contained). */
export const RUNNER_SOURCE = fromPackageRoot('services', 'grading', 'datasets', 'run_tests.py');

/** One task, ready to be written as a grader folder. */
export interface HarnessGraderSpec {
  /** Folder name when several tasks are written under one folder, such as humaneval-0. */
  slug: string;
  /** The task id and what it asks for, one line, such as `HumanEval/0 (has_close_elements)`. */
  title: string;
  /** Where the data comes from and under which license, one line. */
  source: string;
  /** README lines telling a student what to submit. */
  instructions: string[];
  /** tests.py: the task's test code. */
  tests: string;
  /** reference/solution.py: the task's own solution, a submission that must get AC. */
  reference: string;
  /** Arguments of run_tests.py after `--tests tests.py`, such as ['--check', 'check', '--candidate', 'f']. */
  runnerArgs: string[];
  /** Time limit of each test, ms. @defaultValue 3000 (the reference evaluators use 3 s per problem) */
  timeLimitMs?: number;
}

/** Time all tests of one submission may take together before the rest are not run, ms. */
const BUDGET_MS = 10_000;
/** The test process's address space; the sandbox's memory limit is above it, for the server. */
const TEST_MEMORY_MB = 192;
const SANDBOX_MEMORY_MB = 256;

/** The limits of each of the two sandboxes (the runner's, the solution's): the budget plus one
 * test that overruns it, plus start-up. */
function sandboxLimits(timeLimitMs: number, budgetMs: number): string {
  const perTest = Math.ceil(timeLimitMs / 1000) * 1000 + 1000;
  const cpuMs = budgetMs + perTest + 2000;
  const wallMs = budgetMs + 2 * timeLimitMs + 1000 + 4000;
  return `{ cpu_ms: ${cpuMs}, wall_ms: ${wallMs}, memory_mb: ${SANDBOX_MEMORY_MB}, output_kb: 64 }`;
}

/** JSON is YAML: quoting every word keeps numbers strings, as grader.yaml requires for argv. */
function flowList(words: string[]): string {
  return `[${words.map((w) => JSON.stringify(w)).join(', ')}]`;
}

function graderYaml(spec: HarnessGraderSpec): string {
  const timeLimitMs = spec.timeLimitMs ?? 3000;
  const budgetMs = Math.max(BUDGET_MS, timeLimitMs * 2);
  const run = ['python3', '-I', 'run_tests.py', '--tests', 'tests.py', ...spec.runnerArgs,
    '--time-limit-ms', String(timeLimitMs), '--budget-ms', String(budgetMs)];
  const serve = ['python3', '-I', 'run_tests.py', '--serve', '--memory-mb', String(TEST_MEMORY_MB)];
  return [
    `# ${spec.title}: made by \`gradebox import\`; see README.md.`,
    'language: python',
    'mode: harness',
    `# Each test gets ${timeLimitMs / 1000} s (wall clock, run_tests.py); these limits hold the run of all the tests.`,
    `limits: ${sandboxLimits(timeLimitMs, budgetMs)}`,
    '# The runner (with the tests) and the solution run in two sandboxes joined by pipes.',
    'harness:',
    '  files: [run_tests.py, tests.py]',
    `  run: ${flowList(run)}`,
    '  results: results.json',
    '  candidate:',
    '    files: [run_tests.py]',
    `    run: ${flowList(serve)}`,
    '',
  ].join('\n');
}

function readme(spec: HarnessGraderSpec): string {
  return [
    `# ${spec.title}`,
    '',
    `Source: ${spec.source}`,
    '',
    ...spec.instructions,
    '',
    `Each assert of tests.py is one test worth 1 point, with a time limit of ${(spec.timeLimitMs ?? 3000) / 1000} s;`,
    'run_tests.py runs them, apart from the solution, and writes results.json. reference/solution.py is the task\'s own solution.',
    '',
  ].join('\n');
}

/** A folder to write into: missing (it is made) or empty; anything else is refused, never overwritten. */
export function emptyFolder(dir: string): void {
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new UserError('E_IMPORT_OUT_EXISTS', `${dir} already exists and is not empty; remove it, or give another --out`);
  }
  mkdirSync(dir, { recursive: true });
}

/** Writes the grader folder `dir` (missing or empty) for one task. */
export function writeHarnessGrader(dir: string, spec: HarnessGraderSpec): void {
  emptyFolder(dir);
  mkdirSync(join(dir, 'reference'));
  writeFileSync(join(dir, 'grader.yaml'), graderYaml(spec));
  writeFileSync(join(dir, 'README.md'), readme(spec));
  writeFileSync(join(dir, 'tests.py'), spec.tests);
  writeFileSync(join(dir, 'reference', 'solution.py'), spec.reference);
  copyFileSync(RUNNER_SOURCE, join(dir, 'run_tests.py'));
}
