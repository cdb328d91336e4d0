// Shared by the whole-dataset tests: imports a dataset's graders and grades each task's reference
// solution and a broken copy through the real pipeline, two at a time, with timings.
import { appendFileSync, copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as assert from 'uvu/assert';

import { importCommand } from '../../services/cli/import-command.js';
import { inPool } from '../../services/common/in-pool.js';
import { gradeSubmission, type GradeResult } from '../../services/grading/grade.js';
import { callCommand, tempDir } from '../support/helpers.js';

export const HUMANEVAL_DATA = '/work/shared/data/humaneval/openai-human-eval/HumanEval.jsonl.gz';
export const MBPP_DATA = '/work/shared/data/mbpp/mbpp.jsonl';

/** MBPP references that do not get AC here: none. Task 123 (amicable numbers below 9999, 3.3 s of
 * CPU for one assert) would time out at the usual 3 s per test; the importer gives it 15 s. */
export const MBPP_REFERENCE_EXCEPTIONS: Readonly<Record<string, string>> = {};

/** Gradings at a time, as a worker with two slots would run them on this 2-core machine. */
const PARALLEL = 2;

/** Runs `work` over `items`, `PARALLEL` at a time. */
function pool<T>(items: T[], work: (item: T, index: number) => Promise<void>): Promise<void> {
  return inPool(items.length, PARALLEL, (index) => work(items[index]!, index));
}

function summary(result: GradeResult): string {
  const failed = result.tests.filter((t) => t.verdict !== 'AC').map((t) => `${t.name}: ${t.verdict} ${t.output.split('\n')[0]}`);
  return `${result.verdict} ${result.score}/${result.max_score} ${failed.slice(0, 3).join('; ')}`;
}

/** The functions a broken copy overrides: HumanEval's entry point, or every top-level function of
 * an MBPP reference (its tests may call any of them). */
function functionsUnderTest(graderDir: string): string[] {
  const candidate = /"--candidate", "([A-Za-z_]\w*)"/.exec(readFileSync(join(graderDir, 'grader.yaml'), 'utf8'))?.[1];
  if (candidate) return [candidate];
  const reference = readFileSync(join(graderDir, 'reference', 'solution.py'), 'utf8');
  return [...reference.matchAll(/^def\s+([A-Za-z_]\w*)\s*\(/gm)].map((m) => m[1]!);
}

/** The reference with the functions under test redefined at its end to return None. */
function returningNone(graderDir: string, scratch: string): string {
  const dir = join(scratch, basename(graderDir));
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'solution.py');
  copyFileSync(join(graderDir, 'reference', 'solution.py'), file);
  for (const name of functionsUnderTest(graderDir)) appendFileSync(file, `\n\ndef ${name}(*args, **kwargs):\n    return None\n`);
  return file;
}

export interface DatasetCheck {
  dataset: 'humaneval' | 'mbpp';
  data: string;
  /** Graders (folder names) whose reference does not get AC, with why. */
  referenceExceptions: Record<string, string>;
  /** Graders whose tests a function returning None passes, with why. */
  noneExceptions: Record<string, string>;
  /** Which share of the tasks (in name order) this test grades, so a long dataset fits in several
   * test files (the test runner gives a file 10 minutes). @defaultValue every task */
  part?: { index: number; of: number };
  /** Grade the broken copy of every n-th task only (the references are always all graded). @defaultValue 1 */
  brokenEvery?: number;
}

/** The `index`-th of `of` nearly equal slices of `items`, counting from 1. */
function slice<T>(items: T[], part: { index: number; of: number } | undefined): T[] {
  if (!part) return items;
  const size = Math.ceil(items.length / part.of);
  return items.slice((part.index - 1) * size, part.index * size);
}

/** Imports every task, grades its reference (must be AC with full marks) and the reference with its
 * function returning None (must not); prints the time taken. */
export async function gradeDataset(check: DatasetCheck): Promise<void> {
  const out = tempDir();
  const imported = await callCommand(importCommand, [check.dataset, '--data', check.data, '--all', '--out', join(out, 'graders')]);
  assert.is(imported.code, 0, imported.out);
  const graders = slice(readdirSync(join(out, 'graders')).sort(), check.part).map((name) => join(out, 'graders', name));
  const problems: string[] = [];
  let harnessCpuMs = 0;
  const started = performance.now();
  let brokenGraded = 0;
  await pool(graders, async (graderDir, index) => {
    const name = basename(graderDir);
    const reference = await gradeSubmission({ graderDir, submission: join(graderDir, 'reference', 'solution.py') });
    const fullMarks = reference.verdict === 'AC' && reference.score === reference.max_score && reference.gradable;
    if (fullMarks === name in check.referenceExceptions) problems.push(`${name} reference: ${summary(reference)}`);
    harnessCpuMs += reference.tests[0]?.cpu_ms ?? 0;
    if (index % (check.brokenEvery ?? 1) !== 0) return;
    brokenGraded++;
    const broken = await gradeSubmission({ graderDir, submission: returningNone(graderDir, join(out, 'broken')) });
    const passes = broken.verdict === 'AC' || broken.score >= broken.max_score;
    if (passes !== name in check.noneExceptions) problems.push(`${name} returning None: ${summary(broken)}`);
    harnessCpuMs += broken.tests[0]?.cpu_ms ?? 0;
  });
  const seconds = (performance.now() - started) / 1000;
  const part = check.part ? ` (part ${check.part.index} of ${check.part.of})` : '';
  const gradings = graders.length + brokenGraded;
  console.log(`${check.dataset}${part}: ${graders.length} references and ${brokenGraded} broken copies, ${PARALLEL} at a time: ${seconds.toFixed(1)} s ` +
    `(${(seconds * 1000 / gradings).toFixed(0)} ms a grading; harness runs ${(harnessCpuMs / gradings).toFixed(0)} ms CPU each)`);
  assert.equal(problems, []);
}
