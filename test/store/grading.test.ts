// A submission's gradings: the outbox and regrade numbering, attempts, results
// stored once per grading, an older grading never overwriting a newer one, failures, incidents, counts.
import * as assert from 'uvu/assert';

import type { Assignment, Store } from '../../services/store/store.js';
import { StoreFixture, backendTests, addAssignment, by, seed, sha256, submit, userError } from '../support/store-fixtures.js';

const fixture = new StoreFixture();
const test = backendTests(fixture, 'store/grading');
test.after.each(() => fixture.cleanup());

const AC = { verdict: 'AC', score: 10, maxScore: 10, gradable: true };
const WA = { verdict: 'WA', score: 4, maxScore: 10, gradable: true };

async function oneSubmission(): Promise<{ store: Store; assignment: Assignment; id: string }> {
  const store = await fixture.open();
  const assignment = await seed(store);
  return { store, assignment, id: (await submit(store, assignment, { 'main.c': 'int main(){}' })).submission.id };
}

test('outbox: pending oldest first, dispatched rows gone, regrades numbered 2, 3 … with their own rows', async () => {
  const { store, assignment, id } = await oneSubmission();
  const second = (await submit(store, assignment, { 'main.c': 'other' })).submission.id;
  let pending = await store.pendingOutbox(10);
  assert.equal(pending.map((o) => [o.submissionId, o.gradeNumber, o.kind]), [[id, 1, 'grade'], [second, 1, 'grade']]);
  assert.equal((await store.pendingOutbox(1)).map((o) => o.submissionId), [id]);
  await store.markOutboxDispatched(pending[0]!.id);
  await store.markOutboxDispatched(pending[0]!.id); // a second relay marking the same row is fine
  assert.equal((await store.pendingOutbox(10)).map((o) => o.submissionId), [second]);

  const regraded = await store.requestRegrade(id);
  assert.is(regraded.gradeNumber, 2);
  assert.is(regraded.status, 'queued');
  assert.is((await store.requestRegrade(id)).gradeNumber, 3);
  pending = await store.pendingOutbox(10);
  assert.equal(pending.map((o) => [o.submissionId, o.gradeNumber, o.kind]), [[second, 1, 'grade'], [id, 2, 'regrade'], [id, 3, 'regrade']]);
  assert.ok(pending[1]!.id > pending[0]!.id && pending[2]!.id > pending[1]!.id);
  for (const row of pending) await store.markOutboxDispatched(row.id);
  assert.equal(await store.pendingOutbox(10), []);
  await userError(store.requestRegrade('sub_AAAAAAAAAAAAAAAAAAAAAA'), 'E_NOT_FOUND');
  await userError(store.pendingOutbox(0), 'E_BAD_INPUT');
});

test('a regrade uses the assignment\'s current grader', async () => {
  const { store, id } = await oneSubmission();
  await addAssignment(store, 'cs101', 'sum', '/srv/graders/sum-c-fixed', sha256('fixed grader'));
  await store.requestRegrade(id);
  assert.equal((await store.pendingOutbox(10)).map((o) => o.graderDigest), [sha256('fixed grader'), sha256('fixed grader')]);
});

test('attempts: running on start, counted per grading; a finished grading is not started again', async () => {
  const { store, id } = await oneSubmission();
  assert.equal(await store.startAttempt(id, 1, by('worker-a')), { started: true, attempt: 1 });
  assert.is((await store.getSubmission(id))?.status, 'running');
  assert.equal(await store.startAttempt(id, 1, by('worker-b', 2)), { started: true, attempt: 2 }, 'a retry after an internal failure');
  assert.is((await store.getSubmission(id))?.attempts, 2);
  await store.recordResult(id, 1, { score: 10 }, AC);
  assert.equal(await store.startAttempt(id, 1, by('worker-c')), { started: false, attempt: 0 });
  assert.is((await store.getSubmission(id))?.status, 'graded');
  await userError(store.startAttempt(id, 2, by('worker-a')), 'E_GRADE_NUMBER');
  await userError(store.startAttempt(id, 0, by('worker-a')), 'E_BAD_INPUT');
  await userError(store.startAttempt('sub_AAAAAAAAAAAAAAAAAAAAAA', 1, by('worker-a')), 'E_NOT_FOUND');
});

test('a result that carries its start: the attempt, running then graded, in one write; a duplicate adds no attempt', async () => {
  const { store, id } = await oneSubmission();
  assert.equal(await store.recordResult(id, 1, { score: 10 }, { ...AC, startedBy: by('worker-a') }), { stored: true });
  const submission = await store.getSubmission(id);
  assert.is(submission?.status, 'graded');
  assert.is(submission?.attempts, 1);
  const events = await store.listEvents(id);
  assert.equal(events.map((e) => e.type), ['queued', 'running', 'graded']);
  assert.equal(events[1]?.data, { gradeNumber: 1, attempt: 1 });
  assert.equal(await store.recordResult(id, 1, { score: 4 }, { ...WA, startedBy: by('worker-b') }), { stored: false });
  assert.is((await store.getSubmission(id))?.attempts, 1, 'a duplicate result counts no attempt');
  assert.is((await store.listEvents(id)).length, 3);
  // A retry whose first try sent its own start: the second attempt is counted with the result.
  const { store: other, id: retried } = await oneSubmission();
  await other.startAttempt(retried, 1, by('worker-a'));
  await userError(other.recordResult(retried, 1, {}, { ...AC, startedBy: by('') }), 'E_BAD_INPUT');
  await other.recordResult(retried, 1, {}, { ...AC, startedBy: by('worker-b') });
  assert.is((await other.getSubmission(retried))?.attempts, 2);
  assert.equal((await other.listEvents(retried)).map((e) => e.type), ['queued', 'running', 'running', 'graded']);
});

test('a try reported twice counts once: its start sent again, or carried again by its result', async () => {
  const { store, id } = await oneSubmission();
  assert.equal(await store.startAttempt(id, 1, by('worker-a')), { started: true, attempt: 1 });
  assert.equal(await store.startAttempt(id, 1, by('worker-a')), { started: false, attempt: 0 }, 'sent again: the answer to the first was lost');
  assert.equal(await store.recordResult(id, 1, { score: 10 }, { ...AC, startedBy: by('worker-a') }), { stored: true });
  assert.is((await store.getSubmission(id))?.attempts, 1);
  assert.equal((await store.listEvents(id)).map((e) => e.type), ['queued', 'running', 'graded']);
  await userError(store.startAttempt(id, 1, by('worker-a', 0)), 'E_BAD_INPUT');
});

test('a result recorded twice is stored once: the first stays, the second says stored: false', async () => {
  const { store, id } = await oneSubmission();
  await store.startAttempt(id, 1, by('w'));
  assert.equal(await store.recordResult(id, 1, { score: 10, tests: [{ name: 't1' }] }, AC), { stored: true });
  assert.equal(await store.recordResult(id, 1, { score: 4 }, WA), { stored: false });
  const submission = await store.getSubmission(id);
  assert.is(submission?.status, 'graded');
  assert.equal(submission?.result, { score: 10, tests: [{ name: 't1' }] });
  assert.is(submission?.resultGradeNumber, 1);
  assert.equal((await store.listEvents(id)).map((e) => e.type), ['queued', 'running', 'graded'], 'one graded event');
  assert.equal(await store.recordFailure(id, 1, 'too late'), { stored: false }, 'a failure after the result changes nothing');
  assert.is((await store.getSubmission(id))?.status, 'graded');
  assert.equal(await store.countResultsByVerdict(), { AC: 1 });
});

test('a result for an older grading is kept but does not overwrite the newer state', async () => {
  const { store, id } = await oneSubmission();
  await store.startAttempt(id, 1, by('w1'));
  await store.requestRegrade(id); // grading 2 requested while 1 still runs
  assert.equal(await store.recordResult(id, 1, { score: 4 }, WA), { stored: true });
  let submission = await store.getSubmission(id);
  assert.is(submission?.status, 'queued', 'still waiting for grading 2');
  assert.is(submission?.gradeNumber, 2);
  assert.equal(submission?.result, { score: 4 }, 'the older result is shown until the newer one comes');
  assert.equal(await store.startAttempt(id, 1, by('w1')), { started: false, attempt: 0 });

  await store.startAttempt(id, 2, by('w2'));
  assert.is((await store.getSubmission(id))?.status, 'running');
  await store.recordResult(id, 2, { score: 10 }, AC);
  await store.recordFailure(id, 1, 'a late failure of grading 1');
  submission = await store.getSubmission(id);
  assert.is(submission?.status, 'graded');
  assert.is(submission?.error, null);
  assert.equal(submission?.result, { score: 10 });
  assert.is(submission?.resultGradeNumber, 2);
  assert.equal(await store.countResultsByVerdict(), { AC: 1 }, 'counted by the newest result only');
  assert.equal((await store.listEvents(id)).map((e) => [e.type, e.data.gradeNumber]),
    [['queued', 1], ['running', 1], ['queued', 2], ['running', 2], ['graded', 2]]);
});

test('a failure for good sets status error with the message; a regrade clears it', async () => {
  const { store, id } = await oneSubmission();
  await store.startAttempt(id, 1, by('w'));
  assert.equal(await store.recordFailure(id, 1, 'the sandbox failed 3 times'), { stored: true });
  let submission = await store.getSubmission(id);
  assert.is(submission?.status, 'error');
  assert.is(submission?.error, 'the sandbox failed 3 times');
  assert.is(submission?.result, null);
  assert.equal(await store.recordResult(id, 1, { score: 1 }, AC), { stored: false });
  submission = await store.requestRegrade(id);
  assert.is(submission.status, 'queued');
  assert.is(submission.error, null);
  assert.equal((await store.listEvents(id)).map((e) => e.type), ['queued', 'running', 'error', 'queued']);
  await userError(store.recordFailure(id, 2, ''), 'E_BAD_INPUT');
});

test('bad results are refused before anything is stored', async () => {
  const { store, id } = await oneSubmission();
  await userError(store.recordResult(id, 1, [] as unknown as object, AC), 'E_BAD_INPUT');
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  await userError(store.recordResult(id, 1, cyclic, AC), 'E_BAD_INPUT');
  await userError(store.recordResult(id, 1, {}, { ...AC, score: Number.NaN }), 'E_BAD_INPUT');
  await userError(store.recordResult(id, 1, {}, { ...AC, verdict: '' }), 'E_BAD_INPUT');
  await userError(store.recordResult(id, 2, {}, AC), 'E_GRADE_NUMBER');
  assert.is((await store.getSubmission(id))?.status, 'queued');
  assert.equal(await store.recordResult(id, 1, {}, AC), { stored: true });
});

test('a result bigger than the JSON cap is refused', async () => {
  const store = await fixture.open(undefined, { maxJsonBytes: 1000 });
  const assignment = await seed(store);
  const { id } = (await submit(store, assignment, { a: 'b' })).submission;
  await userError(store.recordResult(id, 1, { output: 'x'.repeat(1000) }, AC), 'E_TOO_LARGE');
  assert.equal(await store.recordResult(id, 1, { output: 'x'.repeat(900) }, AC), { stored: true });
});

test('incidents with a result are stored with it exactly once; listed newest first, per course', async () => {
  const { store, id } = await oneSubmission();
  const evidence = await store.putBlob(Buffer.from('evidence tar'));
  const incident = { syscall: 'ptrace', evidenceSha256: evidence.sha256, evidencePath: '/var/lib/gradebox/evidence/x/snapshot.tar', record: { test: 'sample-1', nr: 101 } };
  const summary = { ...AC, verdict: 'SV', score: 0, incidents: [incident] };
  assert.equal(await store.recordResult(id, 1, { verdict: 'SV' }, summary), { stored: true });
  assert.equal(await store.recordResult(id, 1, { verdict: 'SV' }, summary), { stored: false });
  let listed = await store.listIncidents({});
  assert.equal(listed.map((i) => [i.submissionId, i.gradeNumber, i.courseId, i.syscall, i.evidenceSha256, i.record]),
    [[id, 1, 'cs101', 'ptrace', evidence.sha256, { test: 'sample-1', nr: 101 }]]);

  const other = await seed(store, 'cs102');
  const theirs = (await submit(store, other, { a: 'b' })).submission.id;
  const added = await store.addIncident({ submissionId: theirs, gradeNumber: 1, syscall: 'mount', evidenceSha256: null, evidencePath: null, record: {} });
  assert.is(added.courseId, 'cs102');
  listed = await store.listIncidents({ limit: 10 });
  assert.equal(listed.map((i) => i.syscall), ['mount', 'ptrace']);
  assert.equal((await store.listIncidents({ courseId: 'cs101' })).map((i) => i.syscall), ['ptrace']);
  assert.equal((await store.listIncidents({ limit: 1 })).map((i) => i.syscall), ['mount']);
  await userError(store.addIncident({ ...incident, submissionId: theirs, gradeNumber: 1, evidenceSha256: '../../etc/passwd' }), 'E_BAD_DIGEST');
  await userError(store.addIncident({ ...incident, submissionId: theirs, gradeNumber: 5 }), 'E_GRADE_NUMBER');
});

test('counts by status, by verdict and open ones by course, with every status present', async () => {
  const store = await fixture.open();
  const assignment = await seed(store);
  assert.equal(await store.countSubmissionsByStatus(), { queued: 0, running: 0, graded: 0, error: 0 });
  assert.equal(await store.countResultsByVerdict(), {});
  const ids = [];
  for (let i = 0; i < 5; i++) ids.push((await submit(store, assignment, { a: String(i) })).submission.id);
  await store.startAttempt(ids[0]!, 1, by('w'));
  await store.recordResult(ids[1]!, 1, {}, AC);
  await store.recordResult(ids[2]!, 1, {}, WA);
  await store.recordResult(ids[3]!, 1, {}, AC);
  await store.recordFailure(ids[4]!, 1, 'gone');
  assert.equal(await store.countSubmissionsByStatus(), { queued: 0, running: 1, graded: 3, error: 1 });
  assert.equal(await store.countResultsByVerdict(), { AC: 2, WA: 1 });
  assert.equal(await store.countOpenSubmissionsByCourse(), [{ courseId: 'cs101', status: 'running', n: 1 }]);
});

test.run();
