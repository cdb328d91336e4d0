// An assignment made in the staff API from an uploaded grader zip: a draft that takes no uploads,
// self-tested by grading its samples as submissions no listing shows, refused publication while
// the self-test runs or when a sample did not get its verdict (the list in the answer), published
// once it passes, then open to students. No workers run here: the test answers for them, as
// their result messages would.
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { fromPackageRoot } from '../../services/common/package-root.js';
import type { PrivateRedis } from '../../services/queue/private-redis.js';
import { uploadSubmission } from '../../services/bench/portal-client.js';
import { COURSE, postResult, queuedJobData, startTestApi, type TestApi } from '../support/api-fixtures.js';
import { removeTempDirs, tempDir } from '../support/helpers.js';
import { closeConnections, privateRedis } from '../support/queue-fixtures.js';

let redis: PrivateRedis;
let api: TestApi;
let staffKey: string;
let zip: Buffer;

/** graders/sum-c with two samples: accepted.c (AC) and wrong.c (WA), zipped as its folder. */
function graderZip(): Buffer {
  const dir = tempDir('gradebox-grader-zip-');
  const grader = join(dir, 'sum-c');
  cpSync(fromPackageRoot('graders', 'sum-c'), grader, { recursive: true });
  rmSync(join(grader, 'submissions'), { recursive: true });
  cpSync(fromPackageRoot('graders', 'sum-c', 'submissions', 'accepted.c'), join(grader, 'submissions', 'accepted.c'), { recursive: true });
  cpSync(fromPackageRoot('graders', 'sum-c', 'submissions', 'wrong.c'), join(grader, 'submissions', 'wrong.c'));
  writeFileSync(join(grader, 'submissions', 'expected.json'), JSON.stringify({ 'accepted.c': 'AC', 'wrong.c': 'WA' }));
  execFileSync('zip', ['-qr', 'sum-c.zip', 'sum-c'], { cwd: dir });
  return readFileSync(join(dir, 'sum-c.zip'));
}

test.before(async () => {
  redis = await privateRedis();
  api = await startTestApi(redis);
  staffKey = (await api.store.createApiKey(COURSE, 'instructor tools', { scope: 'staff' })).secret;
  zip = graderZip();
});
test.after(async () => {
  closeConnections();
  await api?.service.close();
  await redis?.stop();
  removeTempDirs();
});

async function staff(method: string, path: string, body?: FormData | string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const response = await fetch(`${api.url}${path}`, { method, headers: { authorization: `Bearer ${staffKey}`, ...headers }, body });
  return { status: response.status, body: await response.json() };
}

/** Answers every case of the self-test as a worker would, each with the verdict `verdictOf` gives. */
async function gradeCases(cases: Array<{ name: string; submission: string }>, digest: string, verdictOf: (name: string) => string): Promise<void> {
  for (const c of cases) {
    const verdict = verdictOf(c.name);
    const result = { score: verdict === 'AC' ? 1 : 0, max_score: 1, verdict, gradable: true, tests: [{ name: 't', verdict }], provenance: { grader_digest: digest } };
    assert.is(await postResult(api, { type: 'finished', submissionId: c.submission, gradeNumber: 1, incidents: [], result }), 204);
  }
}

const A = `/v1/courses/${COURSE}/assignments`;

test('a grader zip becomes a draft; publication waits for a passing self-test; then students may submit', async () => {
  const form = new FormData();
  form.set('name', 'sum2');
  form.set('grader', new Blob([zip]), 'sum-c.zip');
  const made = await staff('POST', A, form);
  assert.is(made.status, 201, JSON.stringify(made.body));
  assert.is(made.body.state, 'draft');
  assert.equal(made.body.samples.map((s: { name: string }) => s.name).sort(), ['accepted.c', 'wrong.c']);
  const digest = made.body.grader.digest as string;
  const source = { 'main.c': readFileSync(fromPackageRoot('graders', 'sum-c', 'submissions', 'accepted.c')) };
  const closed = await uploadSubmission(api, { assignment: 'sum2', student: 'ada' }, source);
  assert.is(closed.status, 409, 'a draft takes no uploads');
  assert.is((await staff('POST', `${A}/sum2/publish`)).body.error.code, 'E_SELF_TEST_MISSING');

  const first = await staff('POST', `${A}/sum2/self-test`);
  assert.is(first.status, 202);
  assert.is(first.body.status, 'running');
  assert.is((await staff('POST', `${A}/sum2/publish`)).body.error.code, 'E_SELF_TEST_RUNNING');
  await gradeCases(first.body.cases, digest, () => 'AC');
  const failed = await staff('POST', `${A}/sum2/publish`);
  assert.is(failed.status, 409);
  assert.is(failed.body.error.code, 'E_SELF_TEST_FAILED');
  assert.match(failed.body.error.message, 'wrong.c (expected WA, got AC)');
  assert.not.match(failed.body.error.message, 'accepted.c');

  const second = await staff('POST', `${A}/sum2/self-test`);
  await gradeCases(second.body.cases, digest, (name) => (name === 'wrong.c' ? 'WA' : 'AC'));
  assert.is((await staff('GET', `${A}/sum2/self-test`)).body.status, 'passed');
  const published = await staff('POST', `${A}/sum2/publish`);
  assert.is(published.status, 200, JSON.stringify(published.body));
  assert.is(published.body.state, 'published');
  assert.is((await uploadSubmission(api, { assignment: 'sum2', student: 'ada' }, source)).status, 202);

  const listed = await staff('GET', `/v1/submissions?course=${COURSE}&assignment=sum2`);
  assert.equal(listed.body.submissions.map((s: { student: string }) => s.student), ['ada'], 'the samples\' gradings are no student\'s');
  const trail = await staff('GET', `/v1/audit?course=${COURSE}`);
  const types = trail.body.entries.map((e: { type: string }) => e.type);
  for (const type of ['staff.assignment.created', 'staff.assignment.self_test', 'staff.assignment.published']) assert.ok(types.includes(type), type);
});

test('an archive without grader.yaml, or a grader that does not load, is a 422 that names no host path', async () => {
  const dir = tempDir('gradebox-bad-zip-');
  writeFileSync(join(dir, 'notes.txt'), 'no grader here');
  execFileSync('zip', ['-q', 'bad.zip', 'notes.txt'], { cwd: dir });
  const form = new FormData();
  form.set('name', 'bad');
  form.set('grader', new Blob([readFileSync(join(dir, 'bad.zip'))]), 'bad.zip');
  const refused = await staff('POST', `/v1/courses/${COURSE}/graders/validate`, form);
  assert.is(refused.status, 422);
  assert.is(refused.body.error.code, 'E_GRADER_NOT_FOUND');
  writeFileSync(join(dir, 'grader.yaml'), 'language: cobol\n');
  execFileSync('zip', ['-q', 'broken.zip', 'grader.yaml'], { cwd: dir });
  form.set('grader', new Blob([readFileSync(join(dir, 'broken.zip'))]), 'broken.zip');
  const broken = await staff('POST', `/v1/courses/${COURSE}/graders/validate`, form);
  assert.is(broken.status, 422);
  assert.not.match(broken.body.error.message, api.dataDir);
  assert.not.match(broken.body.error.message, '/tmp/');
});

test('a Kattis problem package uploaded with format=kattis becomes a grader (as gradebox import kattis makes it); one with no time limit is a 422 saying how', async () => {
  const dir = tempDir('gradebox-kattis-zip-');
  cpSync(fromPackageRoot('graders', 'kattis', 'circle-area'), join(dir, 'circle-area'), { recursive: true });
  execFileSync('zip', ['-qr', 'circle-area.zip', 'circle-area'], { cwd: dir });
  const form = new FormData();
  form.set('format', 'kattis');
  form.set('grader', new Blob([readFileSync(join(dir, 'circle-area.zip'))]), 'circle-area.zip');
  const checked = await staff('POST', `/v1/courses/${COURSE}/graders/validate`, form);
  assert.is(checked.status, 200, JSON.stringify(checked.body));
  assert.ok(JSON.stringify(checked.body).includes('01-small'), JSON.stringify(checked.body));
  rmSync(join(dir, 'circle-area', '.timelimit'));
  rmSync(join(dir, 'circle-area.zip'));
  execFileSync('zip', ['-qr', 'circle-area.zip', 'circle-area'], { cwd: dir });
  form.set('grader', new Blob([readFileSync(join(dir, 'circle-area.zip'))]), 'circle-area.zip');
  const untimed = await staff('POST', `/v1/courses/${COURSE}/graders/validate`, form);
  assert.equal([untimed.status, untimed.body.error?.code], [422, 'E_PACKAGE_NO_TIME_LIMIT']);
  assert.not.match(untimed.body.error.message, '/tmp/');
});

test('a self-test\'s gradings and a regrade by filter carry the id of the staff request that asked for them, for the workers\' logs', async () => {
  const form = new FormData();
  form.set('name', 'traced');
  form.set('grader', new Blob([zip]), 'sum-c.zip');
  assert.is((await staff('POST', A, form)).status, 201);
  const selfTest = await staff('POST', `${A}/traced/self-test`, undefined, { 'X-Request-Id': 'staff-self-test-1' });
  assert.is(selfTest.status, 202);
  for (const c of selfTest.body.cases as Array<{ submission: string }>) {
    assert.is((await queuedJobData(redis, api, c.submission, 1)).requestId, 'staff-self-test-1');
  }
  const regrade = await staff('POST', '/v1/regrades', JSON.stringify({ course: COURSE, assignment: 'sum2' }),
    { 'X-Request-Id': 'staff-regrade-1', 'content-type': 'application/json' });
  assert.is(regrade.status, 202, JSON.stringify(regrade.body));
  const [ada] = (await staff('GET', `/v1/submissions?course=${COURSE}&assignment=sum2`)).body.submissions as Array<{ id: string }>;
  assert.is((await queuedJobData(redis, api, ada!.id, 2)).requestId, 'staff-regrade-1');
});

test.run();
