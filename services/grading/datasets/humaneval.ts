// HumanEval (openai/human-eval, 164 Python problems): reads the dataset and turns a problem into a
// harness-mode grader. The program the reference evaluator runs is prompt + completion + test +
// check(entry_point); here the submission is prompt + completion (the whole function), and the
// runner calls check's asserts one by one with the submission's entry_point.
import { z } from 'zod';

import { UserError } from '../../common/errors.js';
import type { HarnessGraderSpec } from './harness-grader-folder.js';
import { readJsonLines } from './json-lines.js';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

const rowSchema = z.object({
  task_id: z.string().regex(/^HumanEval\/\d+$/, { error: 'expected an id such as "HumanEval/0"' }),
  prompt: z.string(),
  entry_point: z.string().regex(IDENTIFIER, { error: 'expected a Python function name' }),
  canonical_solution: z.string(),
  test: z.string().regex(/^def check\(candidate\):/m, { error: 'expected test code defining check(candidate)' }),
});

export type HumanEvalTask = z.infer<typeof rowSchema>;

const SOURCE = 'HumanEval (github.com/openai/human-eval, data/HumanEval.jsonl.gz), MIT License, Copyright (c) OpenAI';

export function readHumanEval(path: string): HumanEvalTask[] {
  return readJsonLines(path, rowSchema, 'HumanEval (HumanEval.jsonl.gz)');
}

/** The task `id` ("HumanEval/7" or just "7"). */
export function findHumanEvalTask(tasks: HumanEvalTask[], id: string): HumanEvalTask {
  const taskId = /^\d+$/.test(id) ? `HumanEval/${id}` : id;
  const task = tasks.find((t) => t.task_id === taskId);
  if (!task) throw new UserError('E_IMPORT_TASK', `--task ${id}: no such HumanEval task; give an id from HumanEval/0 to HumanEval/${tasks.length - 1}`);
  return task;
}

/**
 * The prompt's code before the function to write: imports and helpers the tests may call (poly,
 * encode_cyclic, …). They go into the tests, so the tests use the task's own helpers and never a
 * copy the submission redefined.
 */
function promptHelpers(task: HumanEvalTask): string {
  const at = task.prompt.search(new RegExp(`^def ${task.entry_point}\\(`, 'm'));
  return at > 0 ? task.prompt.slice(0, at).trim() : '';
}

export function humanEvalGrader(task: HumanEvalTask): HarnessGraderSpec {
  const number = task.task_id.split('/')[1] ?? '';
  return {
    slug: `humaneval-${number}`,
    title: `${task.task_id} (${task.entry_point})`,
    source: SOURCE,
    instructions: [
      `Submit one file, solution.py, with the whole function ${task.entry_point}: the signature and docstring below, and its body.`,
      '',
      '```python',
      task.prompt.trimEnd(),
      '```',
    ],
    tests: [`# The tests of ${task.task_id}, from ${SOURCE}.`, ...(promptHelpers(task) ? [promptHelpers(task), ''] : []), `${task.test.trimEnd()}\n`].join('\n'),
    reference: `${task.prompt}${task.canonical_solution}`.trimEnd() + '\n',
    runnerArgs: ['--check', 'check', '--candidate', task.entry_point],
  };
}
