// A long grading's progress as the event stream shows it: the worker's progress reports become
// `test` events between `running` and `graded`, each test shown as the student may see it now (a
// hidden one only its score); a report that arrives after the outcome is dropped; the `graded`
// event carries the result itself. The course's staff follow the same stream.
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { COURSE, parseEvents, postResult, testApiPerFile, uploadOne, type TestApi } from '../support/api-fixtures.js';

let api: TestApi;
testApiPerFile(test, (started) => { api = started; });

const measured = { cpu_ms: 3, wall_ms: 9, memory_kb: 1480 };
const visible = { index: 0, name: 'small', verdict: 'WA', score: 0, max_score: 1, visibility: 'visible', ...measured };
const hidden = { index: 1, name: 'large', verdict: 'AC', score: 2, max_score: 2, visibility: 'hidden', ...measured };

function finished(submissionId: string): object {
  return {
    type: 'finished', submissionId, gradeNumber: 1, incidents: [],
    result: {
      score: 2, max_score: 3, verdict: 'WA', gradable: true, provenance: { grader_digest: 'a'.repeat(64) },
      tests: [{ ...visible, status: 'ok', output: 'expected 3, got 4' }, { ...hidden, status: 'ok', output: '' }],
    },
  };
}

async function events(id: string, key: string) {
  const response = await fetch(`${api.url}/v1/submissions/${id}/events`, { headers: { authorization: `Bearer ${key}` } });
  return parseEvents(await response.text());
}

test('progress reports become test events as the student may see them; one after the outcome is dropped; graded carries the result', async () => {
  const id = await uploadOne(api);
  const ids = { submissionId: id, gradeNumber: 1 };
  assert.is(await postResult(api, { type: 'started', ...ids, workerId: 'w1', attempt: 1 }), 204);
  assert.is(await postResult(api, { type: 'progress', ...ids, done: 1, total: 2, tests: [visible] }), 204);
  assert.is(await postResult(api, { type: 'progress', ...ids, done: 2, total: 2, tests: [hidden] }), 204);
  assert.is(await postResult(api, finished(id)), 204);
  assert.is(await postResult(api, { type: 'progress', ...ids, done: 2, total: 2, tests: [visible] }), 204, 'a late report is taken and dropped');
  const seen = await events(id, api.key);
  assert.equal(seen.map((e) => e.type), ['queued', 'running', 'test', 'test', 'graded']);
  const [first, second] = [seen[2]!.data, seen[3]!.data];
  assert.equal([first.done, first.total, second.done], [1, 2, 2]);
  assert.equal(first.tests, [visible], 'a visible test whole');
  assert.equal(second.tests, [{ index: 1, name: 'large', score: 2, max_score: 2, visibility: 'hidden' }], 'a hidden test only its score');
  const graded = seen[4]!.data as { verdict: string; result: { tests: Array<Record<string, unknown>> } };
  assert.is(graded.verdict, 'WA');
  assert.is(graded.result.tests[0]!.output, 'expected 3, got 4');
  assert.not.ok('output' in graded.result.tests[1]!, 'the hidden test\'s output stays hidden in the result too');
  const staffKey = (await api.store.createApiKey(COURSE, 'staff', { scope: 'staff' })).secret;
  assert.equal((await events(id, staffKey)).map((e) => e.type), seen.map((e) => e.type), 'the staff follow the same stream');
});

test('attack: a student following the stream learns nothing of a withheld test while it is graded (after_due_date before the due date, after_published before release)', async () => {
  const id = await uploadOne(api, 'mallory');
  const ids = { submissionId: id, gradeNumber: 1 };
  const later = { ...visible, index: 1, name: 'secret-case', verdict: 'WA', visibility: 'after_due_date' };
  const unreleased = { ...visible, index: 2, name: 'release-case', verdict: 'AC', visibility: 'after_published' };
  assert.is(await postResult(api, { type: 'started', ...ids, workerId: 'w1', attempt: 1 }), 204);
  assert.is(await postResult(api, { type: 'progress', ...ids, done: 3, total: 3, tests: [visible, later, unreleased] }), 204);
  assert.is(await postResult(api, finished(id)), 204); // the stream ends with the outcome
  const shown = (await events(id, api.key)).filter((e) => e.type === 'test');
  assert.is(shown.length, 1);
  assert.equal(shown[0]!.data.tests, [visible], 'only the visible test: no name, verdict or score of a withheld one');
  assert.not.match(JSON.stringify(shown), 'secret-case');
  assert.not.match(JSON.stringify(shown), 'release-case');
});

test('a progress report for a grading that is not the latest is dropped; one from a grading never asked for, or of an unknown submission, refused', async () => {
  const id = await uploadOne(api, 'grace');
  await api.store.requestRegrade(id);
  assert.is(await postResult(api, { type: 'progress', submissionId: id, gradeNumber: 1, done: 1, total: 1, tests: [visible] }), 204);
  assert.is(await postResult(api, { type: 'progress', submissionId: id, gradeNumber: 7, done: 1, total: 1, tests: [visible] }), 400);
  assert.equal((await api.store.listEvents(id, 0)).map((e) => e.type), ['queued', 'queued']);
  const unknown = await postResult(api, { type: 'progress', submissionId: `sub_${'Z'.repeat(22)}`, gradeNumber: 1, done: 1, total: 1, tests: [visible] });
  assert.is(unknown, 404);
});

test.run();
