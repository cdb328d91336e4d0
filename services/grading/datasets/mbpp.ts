// MBPP (Mostly Basic Python Problems, 974 tasks): reads the dataset and turns a task into a
// harness-mode grader. The reference evaluator runs code + test_setup_code + the 3 asserts of
// test_list; here the submission is the code, and tests.py is the set-up followed by the asserts.
import { z } from 'zod';

import { UserError } from '../../common/errors.js';
import type { HarnessGraderSpec } from './harness-grader-folder.js';
import { readJsonLines } from './json-lines.js';

const rowSchema = z.object({
  task_id: z.int({ error: 'expected a whole number' }).min(1),
  text: z.string(),
  code: z.string(),
  test_setup_code: z.string(),
  test_list: z.array(z.string().regex(/^\s*assert\b/, { error: 'expected an assert statement' })).min(1),
});

export type MbppTask = z.infer<typeof rowSchema>;

const SOURCE = 'MBPP (Austin et al. 2021, github.com/google-research/google-research mbpp/mbpp.jsonl), CC BY 4.0';

/**
 * Tasks whose reference solution needs more than the usual 3 s per test, with the time they get.
 * 123 (sum of amicable numbers below 9999) takes 3.3 s of CPU for one assert on this 2-core VM.
 */
export const SLOW_MBPP_TASKS: Readonly<Record<number, number>> = { 123: 15_000 };

export function readMbpp(path: string): MbppTask[] {
  return readJsonLines(path, rowSchema, 'MBPP (mbpp.jsonl)');
}

export function findMbppTask(tasks: MbppTask[], id: string): MbppTask {
  const task = /^\d+$/.test(id) ? tasks.find((t) => t.task_id === Number(id)) : undefined;
  if (!task) throw new UserError('E_IMPORT_TASK', `--task ${id}: no such MBPP task; give a task_id such as 2 (the file has ${tasks.length} tasks)`);
  return task;
}

/** The dataset's code uses CRLF line ends; Python reads both the same, students read LF better. */
function lf(text: string): string {
  return text.replace(/\r\n/g, '\n').trimEnd();
}

/** What a submission must define: the functions and classes of the reference that the tests and
 * their set-up use, such as is_tree_balanced (def) and Node (class). */
function requiredNames(task: MbppTask): Array<{ name: string; kind: string }> {
  const defined = new Map([...task.code.matchAll(/^\s*(def|class)\s+([A-Za-z_]\w*)/gm)].map((m) => [m[2] ?? '', m[1] ?? '']));
  const used = [task.test_setup_code, ...task.test_list].flatMap((t) => [...t.matchAll(/([A-Za-z_]\w*)\s*\(/g)].map((m) => m[1] ?? ''));
  return [...new Set(used)].filter((name) => defined.has(name)).map((name) => ({ name, kind: defined.get(name) ?? 'def' }));
}

export function mbppGrader(task: MbppTask): HarnessGraderSpec {
  const setup = lf(task.test_setup_code);
  const required = requiredNames(task);
  const functions = required.map((r) => (r.kind === 'def' ? `${r.name}()` : `class ${r.name}`)).join(' and ') || 'the function the tests call';
  return {
    slug: `mbpp-${task.task_id}`,
    title: `MBPP task ${task.task_id}`,
    source: SOURCE,
    instructions: [`${lf(task.text)}`, '', `Submit one file, solution.py, that defines ${functions}.`],
    tests: [`# The tests of MBPP task ${task.task_id}, from ${SOURCE}.`, ...(setup ? [setup] : []), ...task.test_list.map(lf), ''].join('\n'),
    reference: `${lf(task.code)}\n`,
    // The tests take exactly these from the solution (one may be named like a built-in, e.g. sum).
    runnerArgs: required.length > 0 ? ['--solution-names', required.map((r) => r.name).join(',')] : [],
    timeLimitMs: SLOW_MBPP_TASKS[task.task_id],
  };
}
