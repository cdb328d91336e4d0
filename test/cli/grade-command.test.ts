// `gradebox grade` as an instructor calls it: the JSON result, and clear errors for bad input.
import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { fromPackageRoot } from '../../services/common/package-root.js';

const CLI = fromPackageRoot('dist', 'services', 'cli', 'main.js');
const GRADER = fromPackageRoot('graders', 'sum-c');

function gradebox(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, 'grade', ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('--json prints a Gradescope-style result with verdicts and provenance', () => {
  const r = gradebox(['--grader', GRADER, '--submission', `${GRADER}/submissions/accepted.c`, '--json']);
  assert.is(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout) as Record<string, unknown> & { tests: Array<Record<string, unknown>> };
  for (const key of ['score', 'max_score', 'execution_time', 'output', 'tests', 'verdict', 'gradable', 'provenance']) assert.ok(key in result, key);
  for (const key of ['name', 'score', 'max_score', 'status', 'output', 'visibility', 'verdict', 'cpu_ms', 'wall_ms', 'memory_kb']) assert.ok(key in result.tests[0]!, key);
  assert.is(result.verdict, 'AC');
  assert.is(result.score, 5);
});

test('a fault of the submission is its verdict: exit 0 with the result, CE and the reason as feedback; --entry names the entry file', () => {
  const js = fromPackageRoot('graders', 'sum-js');
  const ambiguous = gradebox(['--grader', js, '--submission', `${js}/submissions/commonjs_entry`, '--json']);
  assert.is(ambiguous.code, 0, ambiguous.stderr);
  const faulted = JSON.parse(ambiguous.stdout) as { verdict: string; gradable: boolean; output: string };
  assert.equal([faulted.verdict, faulted.gradable], ['CE', true]);
  assert.match(faulted.output, /^Compile error:\nThe submission has several javascript files \(app\.cjs and numbers\.cjs\)/);
  const named = gradebox(['--grader', js, '--submission', `${js}/submissions/commonjs_entry`, '--entry', 'app.cjs', '--json']);
  assert.is(named.code, 0, named.stderr);
  assert.equal((JSON.parse(named.stdout) as { verdict: string; provenance: { entry: string } }).provenance.entry, 'app.cjs');
  assert.is((JSON.parse(named.stdout) as { verdict: string }).verdict, 'AC');
});

test('bad usage exits 2 and says what is missing', () => {
  assert.match(gradebox(['--submission', 'x.c']).stderr, /missing --grader DIR/);
  assert.match(gradebox(['--grader', '/nonexistent', '--submission', 'x.c']).stderr, /no grader.yaml there/);
  const r = gradebox(['--grader', GRADER, '--submission', '/nonexistent.c']);
  assert.is(r.code, 2);
  assert.match(r.stderr, /no such file or folder/);
  const cpus = gradebox(['--grader', GRADER, '--submission', `${GRADER}/submissions/accepted.c`, '--cpus', '1-0']);
  assert.is(cpus.code, 2);
  assert.match(cpus.stderr, /--cpus "1-0": range 1-0 runs backwards; write 0-1/);
});

test('--cpus: the tests run on the CPUs given, and the result is the same', () => {
  const r = gradebox(['--grader', GRADER, '--submission', `${GRADER}/submissions/accepted.c`, '--json', '--cpus', '0']);
  assert.is(r.code, 0, r.stderr);
  assert.is((JSON.parse(r.stdout) as { score: number }).score, 5);
});

test.run();
