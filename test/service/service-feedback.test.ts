// What students see, end to end through `gradebox start` (real workers grading in sandboxes):
// feedback withheld until the due date and the release set with the CLI, then shown without a
// regrade; a checker that crashes naming a host path and an internal URL ends in a failure the
// student sees as a sentence and a reference, while `gradebox submissions show` and the log
// give operators the detail. The graders are fixtures named for the attack (fixtures/).
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { fromPackageRoot } from '../../services/common/package-root.js';
import { CLI, startLocalService, type LocalService } from '../../services/bench/local-service.js';
import { readSubmission, uploadSubmission, waitUntilGraded } from '../../services/bench/portal-client.js';
import { parseEvents } from '../support/api-fixtures.js';
import { removeTempDirs, tempDir } from '../support/helpers.js';

const FIXTURES = fromPackageRoot('test', 'service', 'fixtures');
let service: LocalService;

test.before(async () => {
  service = await startLocalService({ workers: 2 });
});
test.after(async () => {
  await service?.stop();
  removeTempDirs();
});

/** `gradebox ARGS --data <the service's>`: its output, or its exit status and error when it fails. */
function gradebox(args: string[]): { status: number; out: string; err: string } {
  const run = spawnSync(process.execPath, [CLI, ...args, '--data', service.dataDir], { encoding: 'utf8' });
  return { status: run.status ?? -1, out: run.stdout, err: run.stderr };
}

/** A copy of a fixture grader the service account can read (the API serves graders to workers as that account). */
function graderCopy(name: string): string {
  const dir = join(tempDir(), name);
  cpSync(join(FIXTURES, name), dir, { recursive: true });
  execFileSync('chmod', ['-R', 'a+rX', join(dir, '..')]);
  chmodSync(join(dir, '..'), 0o755);
  return dir;
}

function source(grader: string, file: string): Record<string, Buffer> {
  return { [file]: readFileSync(join(FIXTURES, grader, 'submissions', file)) };
}

async function events(id: string): Promise<ReturnType<typeof parseEvents>> {
  const response = await fetch(`${service.url}/v1/submissions/${id}/events`, { headers: { authorization: `Bearer ${service.key}` } });
  return parseEvents(await response.text());
}

test('feedback-before-due: withheld until the due date and the release (set with the CLI), then shown from the same grading', async () => {
  const name = 'feedback-before-due';
  const due = new Date(Date.now() + 3_600_000).toISOString();
  const added = gradebox(['assignments', 'add', '--course', 'demo', '--name', name, '--grader', graderCopy(name), '--due', due]);
  assert.is(added.status, 0, added.err);
  assert.match(added.out, `due ${due}, feedback not released`);
  const sent = await uploadSubmission(service, { assignment: name, student: 'eve' }, source(name, 'upper.py'));
  assert.is(sent.status, 202, JSON.stringify(sent.body));
  const id = sent.body.id!;

  const before = await waitUntilGraded(service, id, 120_000);
  assert.is(before.status, 'graded', JSON.stringify(before));
  assert.equal(before.result.tests.map((t: { name: string }) => t.name), ['sample', 'secret']);
  assert.equal([before.result.score, before.result.verdict, before.result.withheld], [null, null, { after_due_date: 1, after_published: 1 }]);
  assert.not.match(JSON.stringify(before), 'EDGE-SECRET-ANSWER');
  assert.is((await events(id)).find((e) => e.type === 'graded')?.data.score, null);

  assert.is(gradebox(['assignments', 'set', '--course', 'demo', '--name', name, '--due', '2020-01-01T00:00:00Z']).status, 0);
  const afterDue = await readSubmission(service, id);
  const edge = afterDue.result.tests.find((t: { name: string }) => t.name === 'edge-after-due');
  assert.is(edge?.verdict, 'WA');
  assert.match(edge.output, 'EDGE-SECRET-ANSWER', 'the feedback kept since the grading');
  assert.is(afterDue.result.score, null, 'the after_published test is still withheld');

  const released = gradebox(['assignments', 'set', '--course', 'demo', '--name', name, '--release']);
  assert.match(released.out, /due 2020-01-01T00:00:00.000Z, feedback released/);
  const all = await readSubmission(service, id);
  assert.equal([all.result.score, all.result.max_score, all.result.verdict, all.result.tests.length], [3, 4, 'WA', 4]);
  const graded = (await events(id)).filter((e) => e.type === 'graded');
  assert.equal(graded.map((e) => [e.data.score, e.data.verdict]), [[3, 'WA']], 'one grading, its event shown as now');

  const record = JSON.parse(gradebox(['submissions', 'show', id]).out) as { gradings: unknown[]; submission: { attempts: number; gradeNumber: number } };
  assert.equal([record.gradings.length, record.submission.gradeNumber, record.submission.attempts], [1, 1, 1], 'nothing regraded');
});

test('the CLI refuses a due date without a zone, two contrary flags and a set with nothing to change, naming the fix', () => {
  const set = (...flags: string[]) => gradebox(['assignments', 'set', '--course', 'demo', '--name', 'sum-c', ...flags]);
  const noZone = set('--due', '2026-05-01T23:59');
  assert.equal([noZone.status, /ISO-8601 time with a zone; write it like 2026-05-01T23:59:00Z/.test(noZone.err)], [2, true], noZone.err);
  assert.match(set('--release', '--unrelease').err, /--release or --unrelease, not both/);
  assert.match(set('--due', '2026-05-01T23:59:00Z', '--no-due').err, /--due ISO8601 or --no-due, not both/);
  assert.match(set().err, /nothing to change/);
  assert.match(gradebox(['assignments', 'set', '--course', 'demo', '--name', 'nope', '--release']).err, /no assignment "nope"/);
});

test('checker-leaks-host-path: students see a sentence and a reference; gradebox submissions show and the log give operators the detail', async () => {
  const name = 'checker-leaks-host-path';
  assert.is(gradebox(['assignments', 'add', '--course', 'demo', '--name', name, '--grader', graderCopy(name)]).status, 0);
  const sent = await uploadSubmission(service, { assignment: name, student: 'eve' }, source(name, 'echo.py'));
  const id = sent.body.id!;
  const reference = `${id}.1`;
  // Not gradable, retried (5 s, then 10 s of backoff), then failed for good.
  const failed = await waitUntilGraded(service, id, 180_000);
  assert.equal([failed.status, failed.error_reference], ['error', reference], JSON.stringify(failed));
  const errorEvent = (await events(id)).find((e) => e.type === 'error');
  assert.equal([errorEvent?.data.message, errorEvent?.data.reference], [failed.error, reference]);
  for (const leak of ['/var/lib', 'http://', '10.1.2.3', 'checker', 'IE']) {
    assert.not.ok(failed.error.includes(leak), `the student sees ${leak}: ${failed.error}`);
    assert.not.ok(JSON.stringify(errorEvent).includes(leak), `the SSE error event shows ${leak}`);
  }
  assert.ok(failed.error.includes(reference));

  const shown = gradebox(['submissions', 'show', reference]);
  assert.is(shown.status, 0, shown.err);
  const record = JSON.parse(shown.out) as { reference: string; gradings: Array<{ error: string }> };
  assert.is(record.reference, reference);
  assert.match(record.gradings[0]!.error, /custom checker failed \(exit code 3\): cannot open \/var\/lib\/gradebox\/answers\/secret\.db/);
  const logLine = service.output().split('\n').find((line) => line.includes(`"reference":"${reference}"`) && line.includes('secret.db'));
  assert.ok(logLine, 'the API logged the failure with its reference and detail');
});

test.run();
