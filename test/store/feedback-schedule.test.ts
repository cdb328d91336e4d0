// What decides what students see of a result, in the store: an assignment's due date and feedback
// release (migration 5), and the code of the user error that failed a grading.
import * as assert from 'uvu/assert';

import { GRADER_DIGEST, StoreFixture, backendTests, addAssignment, seed, submit, userError } from '../support/store-fixtures.js';

const fixture = new StoreFixture();
const test = backendTests(fixture, 'store/feedback-schedule');
test.after.each(() => fixture.cleanup());

test('a new assignment has no due date and unreleased feedback; a due date is kept in UTC, a release once', async () => {
  const store = await fixture.open();
  const added = await seed(store);
  assert.equal([added.dueAt, added.feedbackReleasedAt], [null, null]);
  const due = await store.setFeedbackSchedule('cs101', 'sum', { dueAt: '2026-05-01T23:59:00+02:00' });
  assert.is(due.dueAt, '2026-05-01T21:59:00.000Z');
  assert.is(due.feedbackReleasedAt, null, 'a field left out stays as it was');
  const released = await store.setFeedbackSchedule('cs101', 'sum', { released: true });
  assert.ok(released.feedbackReleasedAt !== null);
  assert.is(released.dueAt, due.dueAt);
  await new Promise((r) => setTimeout(r, 5));
  const again = await store.setFeedbackSchedule('cs101', 'sum', { released: true });
  assert.is(again.feedbackReleasedAt, released.feedbackReleasedAt, 'releasing again keeps the first release');
  const withheld = await store.setFeedbackSchedule('cs101', 'sum', { released: false, dueAt: null });
  assert.equal([withheld.dueAt, withheld.feedbackReleasedAt], [null, null]);
});

test('pointing an assignment at a new grader keeps its due date and release', async () => {
  const store = await fixture.open();
  await seed(store);
  await store.setFeedbackSchedule('cs101', 'sum', { dueAt: '2026-01-01T00:00:00Z', released: true });
  const readded = await addAssignment(store, 'cs101', 'sum', '/srv/graders/sum-c-v2', 'b'.repeat(64));
  assert.is(readded.graderDigest, 'b'.repeat(64));
  assert.is(readded.dueAt, '2026-01-01T00:00:00.000Z');
  assert.ok(readded.feedbackReleasedAt !== null);
});

test('a due date without a zone, or not a date, is refused naming it; an unknown assignment too', async () => {
  const store = await fixture.open();
  await seed(store);
  for (const bad of ['2026-05-01T23:59:00', 'tomorrow', '2026-02-30T00:00:00Z', 17]) {
    const error = await userError(store.setFeedbackSchedule('cs101', 'sum', { dueAt: bad as string }), 'E_BAD_INPUT');
    assert.match(error.message, /ISO-8601 time with a zone/);
    assert.match(error.message, /2026-05-01T23:59:00Z/, 'says how to write it');
  }
  const unknown = await userError(store.setFeedbackSchedule('cs101', 'nope', { released: true }), 'E_NOT_FOUND');
  assert.match(unknown.message, /no assignment "nope"/);
  assert.is((await store.findAssignment('cs101', 'sum'))?.dueAt, null, 'nothing changed');
});

test("a failure keeps the user error's code (on the submission and its error event); a regrade clears it", async () => {
  const store = await fixture.open();
  const { submission } = await submit(store, await seed(store), { 'main.c': 'x' });
  await store.recordFailure(submission.id, 1, 'the submission has no .c file for language c', 'E_SUBMISSION_NO_SOURCE');
  const failed = await store.getSubmission(submission.id);
  assert.equal([failed?.status, failed?.errorCode], ['error', 'E_SUBMISSION_NO_SOURCE']);
  const event = (await store.listEvents(submission.id)).at(-1);
  assert.equal(event?.data, { gradeNumber: 1, message: 'the submission has no .c file for language c', code: 'E_SUBMISSION_NO_SOURCE' });
  await userError(store.recordFailure(submission.id, 1, 'x', 'not a code'), 'E_BAD_INPUT');

  await store.requestRegrade(submission.id);
  assert.is((await store.getSubmission(submission.id))?.errorCode, null);
  await store.recordFailure(submission.id, 2, 'internal failure: the sandbox failed');
  const internal = await store.getSubmission(submission.id);
  assert.equal([internal?.status, internal?.errorCode], ['error', null]);
  const gradings = await store.listGradings(submission.id);
  assert.equal(gradings.map((g) => [g.gradeNumber, g.outcome, g.error]), [
    [1, 'error', 'the submission has no .c file for language c'],
    [2, 'error', 'internal failure: the sandbox failed'],
  ]);
});

test('the operator lists every grading with its whole result, and the incidents of one submission', async () => {
  const store = await fixture.open();
  const assignment = await seed(store);
  const { submission } = await submit(store, assignment, { 'main.c': 'x' });
  const other = (await submit(store, assignment, { 'main.c': 'y' })).submission;
  const result = { score: 0, max_score: 1, verdict: 'IE', internal_problems: ['checker crashed'] };
  const incident = { syscall: 'ptrace', evidenceSha256: null, evidencePath: null, record: { syscall: 'ptrace' } };
  await store.recordResult(submission.id, 1, result, { verdict: 'IE', score: 0, maxScore: 1, gradable: false, incidents: [incident] });
  await store.recordResult(other.id, 1, result, { verdict: 'IE', score: 0, maxScore: 1, gradable: false, incidents: [incident, incident] });
  const [graded] = await store.listGradings(submission.id);
  assert.equal(graded?.result, result, 'operator-only fields kept');
  assert.is((await store.listIncidents({ submissionId: submission.id })).length, 1);
  assert.is((await store.listIncidents({ submissionId: other.id, courseId: 'cs101' })).length, 2);
});

test('migration 5 on a database of version 3: its assignments get no due date and unreleased feedback', async () => {
  const dir = fixture.dataDir();
  const at = '2026-01-01T00:00:00.000Z';
  await fixture.oldDatabase(dir, 3, `INSERT INTO courses (id, name, created_at) VALUES ('cs101', 'Intro', '${at}');
    INSERT INTO assignments (id, course_id, name, grader_dir, grader_digest, created_at, updated_at) VALUES (1, 'cs101', 'sum', '/srv/graders/sum-c', '${GRADER_DIGEST}', '${at}', '${at}');`);
  const store = await fixture.open(dir);
  const assignment = await store.findAssignment('cs101', 'sum');
  assert.equal([assignment?.dueAt, assignment?.feedbackReleasedAt, assignment?.graderDir], [null, null, '/srv/graders/sum-c']);
  assert.is((await store.setFeedbackSchedule('cs101', 'sum', { released: true })).name, 'sum');
});

test.run();
