// `gradebox import humaneval|mbpp`: a dataset task becomes a harness-mode grader folder that loads,
// names its source and license, carries the runner and the reference solution; bad flags and bad
// data files get errors that say what to fix; nothing is overwritten.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { UsageError, UserError } from '../../services/common/errors.js';
import { fromPackageRoot } from '../../services/common/package-root.js';
import { importCommand } from '../../services/cli/import-command.js';
import { RUNNER_SOURCE } from '../../services/grading/datasets/harness-grader-folder.js';
import { gradeSubmission } from '../../services/grading/grade.js';
import { loadGrader } from '../../services/grading/load-grader.js';
import { callCommand, rejectionOf, removeTempDirs, tempDir } from '../support/helpers.js';

const HUMANEVAL = '/work/shared/data/humaneval/openai-human-eval/HumanEval.jsonl.gz';
const MBPP = '/work/shared/data/mbpp/mbpp.jsonl';

test.after(removeTempDirs);

function run(argv: string[]): Promise<{ code: number; out: string }> {
  return callCommand(importCommand, argv);
}

/** The command must reject with `kind` (and code), its message matching `pattern`. */
async function refuses(argv: string[], kind: typeof UserError, code: string, pattern: RegExp): Promise<void> {
  const error = await rejectionOf(run(argv), `gradebox import ${argv.join(' ')}`);
  assert.instance(error, kind);
  assert.is((error as UserError).code, code, (error as Error).message);
  assert.match((error as Error).message, pattern);
}

test('the example graders made by import carry the current runner', () => {
  for (const example of ['humaneval-0', 'mbpp-2']) {
    assert.is(readFileSync(fromPackageRoot('graders', example, 'run_tests.py'), 'utf8'), readFileSync(RUNNER_SOURCE, 'utf8'), `graders/${example}/run_tests.py is stale: copy ${RUNNER_SOURCE}`);
  }
});

test('humaneval --task: a grader folder with the runner, the tests, a README and the reference', async () => {
  const out = join(tempDir(), 'he0');
  const { code, out: printed } = await run(['humaneval', '--data', HUMANEVAL, '--task', 'HumanEval/0', '--out', out]);
  assert.is(code, 0);
  assert.match(printed, /wrote .*he0: HumanEval\/0 \(has_close_elements\)/);
  assert.equal(readdirSync(out).sort(), ['README.md', 'grader.yaml', 'reference', 'run_tests.py', 'tests.py']);
  const grader = loadGrader(out);
  assert.is(grader.language, 'python');
  assert.is(grader.mode, 'harness');
  assert.equal(grader.harness?.run.slice(0, 9), ['python3', '-I', 'run_tests.py', '--tests', 'tests.py', '--check', 'check', '--candidate', 'has_close_elements']);
  assert.is(grader.harness?.results, 'results.json');
  assert.equal(grader.limits, { cpuMs: 16000, wallMs: 21000, memoryMb: 256, outputKb: 64 });
  assert.is(readFileSync(join(out, 'run_tests.py'), 'utf8'), readFileSync(RUNNER_SOURCE, 'utf8'));
  assert.equal(grader.harness?.candidate.run, ['python3', '-I', 'run_tests.py', '--serve', '--memory-mb', '192']);
  assert.equal(grader.harness?.candidate.files, [join(grader.dir, 'run_tests.py')]);
  const readme = readFileSync(join(out, 'README.md'), 'utf8');
  assert.match(readme, /^# HumanEval\/0 \(has_close_elements\)/);
  assert.match(readme, /github\.com\/openai\/human-eval.*MIT License/);
  assert.match(readme, /def has_close_elements\(numbers: List\[float\], threshold: float\) -> bool:/);
  assert.match(readFileSync(join(out, 'tests.py'), 'utf8'), /^# The tests of HumanEval\/0[^\n]*\n[\s\S]*def check\(candidate\):/);
  const reference = readFileSync(join(out, 'reference', 'solution.py'), 'utf8');
  assert.ok(reference.startsWith('from typing import List\n\n\ndef has_close_elements('), reference);
  assert.match(reference, /return False\n$/);
  const result = await gradeSubmission({ graderDir: out, submission: join(out, 'reference', 'solution.py') });
  assert.is(result.verdict, 'AC');
  assert.equal([result.score, result.max_score], [7, 7]);
});

test('mbpp --task: LF line ends, set-up code before the asserts, the functions to define, the slow task\'s limit', async () => {
  const out = join(tempDir(), 'mbpp');
  assert.is((await run(['mbpp', '--data', MBPP, '--task', '367', '--out', join(out, '367')])).code, 0);
  const tests = readFileSync(join(out, '367', 'tests.py'), 'utf8');
  assert.not.match(tests, /\r/);
  assert.match(tests, /root = Node\(1\)[\s\S]*root2\.left\.left\.left = Node\(7\)\nassert is_tree_balanced\(root\) == False\n/);
  assert.not.match(readFileSync(join(out, '367', 'reference', 'solution.py'), 'utf8'), /\r/);
  const readme = readFileSync(join(out, '367', 'README.md'), 'utf8');
  assert.match(readme, /Write a function to check if a binary tree is balanced or not\./);
  assert.match(readme, /defines class Node and is_tree_balanced\(\)\./);
  assert.match(readme, /CC BY 4\.0/);
  assert.equal(loadGrader(join(out, '367')).harness?.run.slice(0, 5), ['python3', '-I', 'run_tests.py', '--tests', 'tests.py']);
  assert.is((await run(['mbpp', '--data', MBPP, '--task', '123', '--out', join(out, '123')])).code, 0);
  const slow = loadGrader(join(out, '123'));
  assert.ok(slow.harness?.run.join(' ').includes('--time-limit-ms 15000'));
  assert.ok(slow.limits.cpuMs >= 30_000, String(slow.limits.cpuMs));
  const result = await gradeSubmission({ graderDir: join(out, '367'), submission: join(out, '367', 'reference', 'solution.py') });
  assert.equal([result.verdict, result.score, result.max_score], ['AC', 3, 3]);
});

test('the example harness graders carry the runner as it is (a grader folder holds its own copy)', () => {
  for (const grader of ['humaneval-0', 'mbpp-2']) {
    assert.is(readFileSync(fromPackageRoot('graders', grader, 'run_tests.py'), 'utf8'), readFileSync(RUNNER_SOURCE, 'utf8'), `graders/${grader}/run_tests.py`);
  }
});

test('--all: one folder per task, named after the task', async () => {
  const out = join(tempDir(), 'all');
  const { code, out: printed } = await run(['humaneval', '--data', HUMANEVAL, '--all', '--out', out]);
  assert.is(code, 0);
  assert.match(printed, /wrote 164 grader folders under /);
  const names = readdirSync(out);
  assert.is(names.length, 164);
  assert.ok(names.includes('humaneval-0') && names.includes('humaneval-163'));
  assert.is(loadGrader(join(out, 'humaneval-163')).mode, 'harness');
});

test('usage errors name the flag', async () => {
  await refuses([], UsageError, 'E_USAGE', /expected kattis PACKAGE_DIR, humaneval or mbpp/);
  await refuses(['apps', '--data', MBPP, '--all', '--out', tempDir()], UsageError, 'E_USAGE', /expected kattis PACKAGE_DIR, humaneval or mbpp/);
  await refuses(['mbpp', '--all', '--out', tempDir()], UsageError, 'E_USAGE', /missing --data FILE/);
  await refuses(['mbpp', '--data', MBPP, '--all'], UsageError, 'E_USAGE', /missing --out DIR/);
  await refuses(['mbpp', '--data', MBPP, '--out', tempDir()], UsageError, 'E_USAGE', /either --task ID or --all/);
  await refuses(['mbpp', '--data', MBPP, '--task', '2', '--all', '--out', tempDir()], UsageError, 'E_USAGE', /either --task ID or --all/);
  await refuses(['mbpp', '--data', MBPP, '--tsk', '2'], UsageError, 'E_USAGE', /--tsk/);
  const help = await run(['--help']);
  assert.is(help.code, 0);
  assert.match(help.out, /^usage: gradebox import kattis PACKAGE_DIR .*\n +gradebox import humaneval/);
});

test('unknown tasks, and a folder that is not empty, are refused; nothing is overwritten', async () => {
  await refuses(['humaneval', '--data', HUMANEVAL, '--task', 'HumanEval/999', '--out', tempDir()], UserError, 'E_IMPORT_TASK', /HumanEval\/999: no such HumanEval task; give an id from HumanEval\/0 to HumanEval\/163/);
  await refuses(['mbpp', '--data', MBPP, '--task', 'two', '--out', tempDir()], UserError, 'E_IMPORT_TASK', /--task two: no such MBPP task/);
  const out = tempDir();
  writeFileSync(join(out, 'notes.txt'), 'mine');
  await refuses(['mbpp', '--data', MBPP, '--task', '2', '--out', out], UserError, 'E_IMPORT_OUT_EXISTS', /already exists and is not empty; remove it, or give another --out/);
  await refuses(['mbpp', '--data', MBPP, '--all', '--out', out], UserError, 'E_IMPORT_OUT_EXISTS', /not empty/);
  assert.equal(readdirSync(out), ['notes.txt']);
  // A task also finds its folder empty or missing: a second import into the same place is refused.
  const twice = join(tempDir(), 'twice');
  await run(['mbpp', '--data', MBPP, '--task', '2', '--out', twice]);
  await refuses(['mbpp', '--data', MBPP, '--task', '2', '--out', twice], UserError, 'E_IMPORT_OUT_EXISTS', /twice already exists/);
});

test('bad data files: missing, not JSON lines, the wrong dataset, a damaged gzip', async () => {
  const dir = tempDir();
  const out = join(dir, 'out');
  await refuses(['mbpp', '--data', join(dir, 'none.jsonl'), '--all', '--out', out], UserError, 'E_DATASET', /none\.jsonl: cannot read it \(ENOENT\); give the MBPP \(mbpp\.jsonl\) file with --data/);
  writeFileSync(join(dir, 'text.jsonl'), '{"task_id": 1}\nnot json\n');
  await refuses(['mbpp', '--data', join(dir, 'text.jsonl'), '--all', '--out', out], UserError, 'E_DATASET', /text\.jsonl:1: field text: /);
  writeFileSync(join(dir, 'broken.jsonl'), 'not json\n');
  await refuses(['mbpp', '--data', join(dir, 'broken.jsonl'), '--all', '--out', out], UserError, 'E_DATASET', /broken\.jsonl:1: not JSON/);
  await refuses(['humaneval', '--data', MBPP, '--all', '--out', out], UserError, 'E_DATASET', /mbpp\.jsonl:1: field task_id: .*is this the HumanEval/);
  await refuses(['mbpp', '--data', HUMANEVAL, '--all', '--out', out], UserError, 'E_DATASET', /HumanEval\.jsonl\.gz:1: field task_id: .*is this the MBPP/);
  writeFileSync(join(dir, 'cut.jsonl.gz'), gzipSync(readFileSync(MBPP)).subarray(0, 5000));
  await refuses(['mbpp', '--data', join(dir, 'cut.jsonl.gz'), '--all', '--out', out], UserError, 'E_DATASET', /a damaged gzip file/);
  writeFileSync(join(dir, 'empty.jsonl'), '\n');
  await refuses(['mbpp', '--data', join(dir, 'empty.jsonl'), '--all', '--out', out], UserError, 'E_DATASET', /no rows/);
});

test.run();
