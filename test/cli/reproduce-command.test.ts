// `gradebox reproduce`: the same submission under the recorded provenance is identical; another
// submission or a changed grader is reported test by test, with exit code 3.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { fromPackageRoot } from '../../services/common/package-root.js';
import { UsageError, UserError } from '../../services/common/errors.js';
import { reproduceCommand } from '../../services/cli/reproduce-command.js';
import { gradeSubmission } from '../../services/grading/grade.js';
import { callCommand, rejectionOf, removeTempDirs, tempDir } from '../support/helpers.js';

const GRADER = fromPackageRoot('graders', 'sum-c');
const WRONG = join(GRADER, 'submissions', 'wrong.c');

test.after.each(removeTempDirs);

async function recordedResult(graderDir: string, submission: string, seed: number): Promise<string> {
  const path = join(tempDir(), 'result.json');
  writeFileSync(path, JSON.stringify(await gradeSubmission({ graderDir, submission, seed })));
  return path;
}

test('the same submission reproduces identically, with the recorded seed', async () => {
  const result = await recordedResult(GRADER, WRONG, 42);
  const { code, out } = await callCommand(reproduceCommand, [result, '--submission', WRONG, '--json']);
  const report = JSON.parse(out) as { identical: boolean; provenance: unknown[]; tests: unknown[] };
  assert.equal(report, { identical: true, provenance: [], tests: [] });
  assert.is(code, 0);
});

test('a submission graded with an entry file is reproduced with it: the entry is in the provenance', async () => {
  const grader = fromPackageRoot('graders', 'mean-python');
  const submission = join(grader, 'submissions', 'multi_file_entry');
  const path = join(tempDir(), 'result.json');
  const recorded = await gradeSubmission({ graderDir: grader, submission, entry: 'solve.py' });
  assert.equal([recorded.verdict, recorded.provenance.entry], ['AC', 'solve.py']);
  writeFileSync(path, JSON.stringify(recorded));
  const { code, out } = await callCommand(reproduceCommand, [path, '--submission', submission]);
  assert.is(code, 0, out);
  assert.match(out, /^reproduced: AC 2\/2/);
});

test('another submission is reported test by test, exit 3', async () => {
  const result = await recordedResult(GRADER, WRONG, 0);
  const { code, out } = await callCommand(reproduceCommand, [result, '--submission', join(GRADER, 'submissions', 'accepted.c')]);
  assert.is(code, 3);
  assert.match(out, /graded differently:\n/);
  assert.match(out, /tests\[\w+\]\.verdict: recorded WA, now AC/);
  assert.match(out, /not reproduced/);
});

test('a grader changed since (a comment is no change, a limit is) is named as a provenance difference', async () => {
  const grader = tempDir();
  cpSync(GRADER, grader, { recursive: true });
  const result = await recordedResult(grader, WRONG, 0);
  const yaml = join(grader, 'grader.yaml');
  writeFileSync(yaml, `${readFileSync(yaml, 'utf8')}\n# a comment changes nothing the digest covers\n`);
  assert.is((await callCommand(reproduceCommand, [result, '--submission', WRONG])).code, 0);
  writeFileSync(yaml, readFileSync(yaml, 'utf8').replace('cpu_ms: 1000', 'cpu_ms: 1500'));
  const { code, out } = await callCommand(reproduceCommand, [result, '--submission', WRONG, '--json']);
  const report = JSON.parse(out) as { identical: boolean; provenance: Array<{ field: string }> };
  assert.is(code, 3);
  assert.equal(report.provenance.map((d) => d.field), ['provenance.grader_digest', 'provenance.limits_digest']);
});

test('bad input: no result, not a result, no submission', async () => {
  assert.instance(await rejectionOf(reproduceCommand(['--submission', WRONG], () => {}), 'no result'), UsageError);
  const notResult = join(tempDir(), 'x.json');
  writeFileSync(notResult, '{"score": 1}');
  const error = await rejectionOf(reproduceCommand([notResult, '--submission', WRONG], () => {}), 'not a result');
  assert.instance(error, UserError);
  assert.match((error as Error).message, /not a gradebox result: verdict/);
  assert.match(String(await rejectionOf(reproduceCommand([notResult], () => {}), 'no submission')), /missing --submission/);
});

test.run();
