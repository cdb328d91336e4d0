// What students see, over HTTP on the real API (store, Redis, loopback; outcomes posted through the
// workers' route as a worker does): tests withheld until the due date or the release, with the
// total score and verdict, shown afterwards without regrading (GET and the SSE graded event
// alike); internal failures shown as a sentence and a reference while operators get the detail;
// a 500 that names no path. Each attack is a fixture below, named for what it tries.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { uploadSubmission } from '../../services/bench/portal-client.js';
import { ASSIGNMENT, COURSE, getJson, parseEvents, postResult, testApiPerFile, uploadOne, type TestApi } from '../support/api-fixtures.js';

let api: TestApi;
testApiPerFile(test, (started) => { api = started; });

const EXPECTED_SECRET = 'EDGE-SECRET-ANSWER';

/** A result with a test of every visibility: the after_due_date one failed and shows its expected output. */
function resultWithEveryVisibility() {
  const test = (name: string, visibility: string, verdict: string, output: string, points = 1) => ({
    name, visibility, verdict, output, score: verdict === 'AC' ? points : 0, max_score: points, status: verdict === 'AC' ? 'passed' : 'failed', cpu_ms: 1, wall_ms: 2, memory_kb: 3,
  });
  return {
    score: 3, max_score: 4, execution_time: 0.2, output: '', verdict: 'WA', gradable: true,
    tests: [
      test('sample', 'visible', 'AC', 'output matches'),
      test('secret', 'hidden', 'AC', ''),
      test('edge-after-due', 'after_due_date', 'WA', `expected "${EXPECTED_SECRET}", got "EDGE"`),
      test('style-after-release', 'after_published', 'AC', 'RELEASED-FEEDBACK'),
    ],
    provenance: { grader_digest: 'a'.repeat(64), grader_dir: '/srv/graders/sum', seed: 1 },
    incidents: [], internal_problems: [], sandbox_launch_ms: [2],
  };
}

async function patchAssignment(body: unknown, key = api.key, name = ASSIGNMENT): Promise<{ status: number; body: any }> {
  const response = await fetch(`${api.url}/v1/assignments/${name}`, {
    method: 'PATCH', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

async function gradedEvent(id: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${api.url}/v1/submissions/${id}/events`, { headers: { authorization: `Bearer ${api.key}` } });
  return parseEvents(await response.text()).find((e) => e.type === 'graded')!.data;
}

test('feedback-before-due: after_due_date and after_published tests, the score and the verdict are withheld, then shown without a regrade', async () => {
  const id = await uploadOne(api);
  assert.is(await postResult(api, { type: 'finished', submissionId: id, gradeNumber: 1, incidents: [], result: resultWithEveryVisibility() }), 204);

  const before = await getJson(api, `/v1/submissions/${id}`);
  assert.equal(before.body.result.tests.map((t: { name: string }) => t.name), ['sample', 'secret'], 'nothing of the withheld tests');
  assert.equal(before.body.result.withheld, { after_due_date: 1, after_published: 1 });
  assert.equal([before.body.result.score, before.body.result.verdict, before.body.result.max_score], [null, null, 4]);
  assert.not.match(JSON.stringify(before.body), EXPECTED_SECRET);
  assert.not.match(JSON.stringify(before.body), 'RELEASED-FEEDBACK');
  const event = await gradedEvent(id);
  assert.equal([event.score, event.verdict, event.withheld], [null, null, { after_due_date: 1, after_published: 1 }], 'the SSE graded event withholds the same');

  const future = await patchAssignment({ due_at: new Date(Date.now() + 3_600_000).toISOString() });
  assert.is(future.status, 200);
  assert.not.match(JSON.stringify((await getJson(api, `/v1/submissions/${id}`)).body), EXPECTED_SECRET, 'a due date to come withholds still');

  const past = await patchAssignment({ due_at: '2020-01-01T00:00:00+02:00' });
  assert.equal([past.status, past.body.due_at, past.body.feedback_released], [200, '2019-12-31T22:00:00.000Z', false]);
  const afterDue = await getJson(api, `/v1/submissions/${id}`);
  const edge = afterDue.body.result.tests.find((t: { name: string }) => t.name === 'edge-after-due');
  assert.match(edge.output, EXPECTED_SECRET, 'the stored result kept its full feedback');
  assert.equal(afterDue.body.result.withheld, { after_due_date: 0, after_published: 1 });
  assert.is(afterDue.body.result.score, null, 'still withheld: an after_published test is');

  const released = await patchAssignment({ feedback_released: true });
  assert.equal([released.status, released.body.feedback_released], [200, true]);
  const all = await getJson(api, `/v1/submissions/${id}`);
  assert.equal(all.body.result.tests.map((t: { name: string }) => t.name), ['sample', 'secret', 'edge-after-due', 'style-after-release']);
  assert.equal([all.body.result.score, all.body.result.verdict], [3, 'WA']);
  assert.equal(Object.keys(all.body.result.tests[1]).sort(), ['max_score', 'name', 'score', 'status', 'visibility'], 'hidden stays hidden');
  const shown = await gradedEvent(id);
  assert.equal([shown.score, shown.verdict, shown.maxScore], [3, 'WA', 4]);

  const submission = await api.store.getSubmission(id);
  assert.equal([submission?.gradeNumber, submission?.status], [1, 'graded'], 'no regrade');
  assert.equal((await api.store.listEvents(id)).map((e) => e.type), ['queued', 'graded']);

  assert.is((await patchAssignment({ feedback_released: false, due_at: null })).status, 200);
  assert.equal((await getJson(api, `/v1/submissions/${id}`)).body.result.withheld, { after_due_date: 1, after_published: 1 }, 'withheld again');
});

test('the assignment routes: read its state; a bad change is refused naming it; other courses and no key get nothing', async () => {
  const read = await getJson(api, `/v1/assignments/${ASSIGNMENT}`);
  assert.is(read.status, 200);
  assert.equal(Object.keys(read.body).sort(), ['due_at', 'feedback_released', 'feedback_released_at', 'name', 'updated_at'], 'no grader folder (a host path)');
  const noZone = await patchAssignment({ due_at: '2026-05-01T23:59:00' });
  assert.equal([noZone.status, noZone.body.error.code], [400, 'E_BAD_INPUT']);
  assert.match(noZone.body.error.message, /"2026-05-01T23:59:00" is not an ISO-8601 time with a zone/);
  const unknownField = await patchAssignment({ due: '2026-05-01T23:59:00Z' });
  assert.equal([unknownField.status, unknownField.body.error.code], [400, 'E_BAD_REQUEST']);
  const nothing = await patchAssignment({});
  assert.match(nothing.body.error.message, /nothing to change/);
  assert.is((await patchAssignment({ feedback_released: true }, api.key, 'nope')).status, 404);
  assert.is((await patchAssignment({ feedback_released: true }, 'gbx_not_a_key')).status, 401);

  await api.store.createCourse('other');
  const otherKey = (await api.store.createApiKey('other')).secret;
  assert.is((await patchAssignment({ feedback_released: true }, otherKey)).status, 404, "another course's assignment is unknown to its key");
  assert.is((await api.store.findAssignment(COURSE, ASSIGNMENT))?.feedbackReleasedAt, null, 'unchanged');
});

test('internal-failure-leaks-url-and-path: the student sees a sentence and the reference; the operator route and the log have the detail', async () => {
  const id = await uploadOne(api);
  const reason = 'internal failure, gave up after 3 attempt(s): GET http://127.0.0.1:8080/internal/v1/graders/abc: HTTP 400 '
    + '{"error":{"code":"E_GRADER_NOT_FOUND","message":"/root/graders/secret-grader: no such grader folder"}}';
  assert.is(await postResult(api, { type: 'failed', submissionId: id, gradeNumber: 1, reason, userError: false }), 204);

  const seen = await getJson(api, `/v1/submissions/${id}`);
  const reference = `${id}.1`;
  assert.equal([seen.body.status, seen.body.error_reference], ['error', reference]);
  assert.match(seen.body.error, /problem on the grading service's side/);
  assert.ok(seen.body.error.includes(reference), seen.body.error);
  const stream = await fetch(`${api.url}/v1/submissions/${id}/events`, { headers: { authorization: `Bearer ${api.key}` } });
  const errorEvent = parseEvents(await stream.text()).find((e) => e.type === 'error');
  assert.equal([errorEvent?.data.reference, errorEvent?.data.message], [reference, seen.body.error]);
  for (const leak of ['http://', '127.0.0.1', '/internal/', '/root/', 'E_GRADER_NOT_FOUND']) {
    assert.not.ok(JSON.stringify(seen.body).includes(leak), `GET shows ${leak}`);
    assert.not.ok(JSON.stringify(errorEvent).includes(leak), `the SSE error event shows ${leak}`);
  }

  const operatorToken = readFileSync(join(api.dataDir, 'operator-token'), 'utf8').trim();
  assert.is((await getJson(api, `/operator/v1/submissions/${id}`)).status, 401, 'the course key is no operator');
  const record = await getJson(api, `/operator/v1/submissions/${id}`, operatorToken);
  assert.is(record.status, 200);
  assert.equal([record.body.reference, record.body.gradings[0].reference, record.body.gradings[0].error], [reference, reference, reason]);
  const logged = api.logs.find((line) => line.reference === reference && line.reason === reason);
  assert.ok(logged, 'the log line carries the reference and the detail');
});

test("a student's own mistake shows its message; a grader's fault or a code the API does not know shows the sentence", async () => {
  const cases: Array<{ code?: string; reason: string; shown: boolean }> = [
    { code: 'E_SUBMISSION_NO_SOURCE', reason: 'the submission has no .c file for language c', shown: true },
    { code: 'E_GRADER_FILE', reason: '/var/lib/gradebox/graders/0a1b/grader.yaml: tests[2].stdin: no such file', shown: false },
    { reason: 'the submission has no .c file for language c (from a worker that sends no code)', shown: false },
  ];
  for (const { code, reason, shown } of cases) {
    const id = await uploadOne(api);
    assert.is(await postResult(api, { type: 'failed', submissionId: id, gradeNumber: 1, reason, userError: true, ...(code ? { code } : {}) }), 204);
    const { body } = await getJson(api, `/v1/submissions/${id}`);
    if (shown) assert.is(body.error, reason);
    else assert.equal([body.error.includes(reason), body.error.includes(`${id}.1`)], [false, true], JSON.stringify(body));
  }
});

test('ie-test-output-leaks-path: an IE test shows no output, a non-gradable result no build output, and no operator field leaves', async () => {
  const id = await uploadOne(api);
  const leak = '/var/lib/gradebox/layers/abc: mount failed';
  const result = {
    ...resultWithEveryVisibility(), gradable: false, verdict: 'IE', output: `Compile error:\n${leak}`,
    tests: [{ name: 'sample', visibility: 'visible', verdict: 'IE', output: leak, score: 0, max_score: 1, status: 'failed', cpu_ms: 0, wall_ms: 0, memory_kb: 0 }],
    internal_problems: [`sample: ${leak}`],
  };
  assert.is(await postResult(api, { type: 'finished', submissionId: id, gradeNumber: 1, incidents: [], result }), 204);
  const { body } = await getJson(api, `/v1/submissions/${id}`);
  assert.not.ok(JSON.stringify(body).includes('/var/lib'), JSON.stringify(body));
  assert.match(body.result.output, new RegExp(`reference ${id}\\.1`));
  for (const field of ['internal_problems', 'incidents', 'sandbox_launch_ms']) assert.not.ok(field in body.result, field);
  assert.not.ok('grader_dir' in body.result.provenance);
});

test('staging-broken-500: a failed upload answers 500 with a reference, no path and no stack; the log keeps both', async () => {
  // The staging folder replaced by a file: an upload too big for memory cannot be staged.
  const staging = join(api.dataDir, 'staging');
  rmSync(staging, { recursive: true, force: true });
  writeFileSync(staging, 'not a folder');
  try {
    const sent = await uploadSubmission(api, { assignment: ASSIGNMENT, student: 'ada' }, { 'big.c': Buffer.alloc(600 * 1024, 0x61) });
    assert.equal([sent.status, sent.body.error?.code], [500, 'E_INTERNAL']);
    const message = sent.body.error!.message;
    const reference = /reference (req_[0-9a-f]{16})/.exec(message)?.[1];
    assert.ok(reference, message);
    for (const leak of [api.dataDir, 'staging', 'Error:', '    at ']) assert.not.ok(JSON.stringify(sent.body).includes(leak), `the 500 shows ${leak}`);
    const logged = api.logs.find((line) => line.reference === reference);
    assert.ok(logged && JSON.stringify(logged.err).includes(api.dataDir), 'operators find the detail under the reference');
  } finally {
    rmSync(staging, { force: true });
    mkdirSync(staging, { mode: 0o700 });
  }
});

test.run();
