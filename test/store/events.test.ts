// The event log of a submission: numbered in order, resumable, and written in
// the same transaction as the state change it reports, so a failure leaves neither behind.
import * as assert from 'uvu/assert';

import { StoreFixture, backendTests, by, internalError, seed, submit, userError } from '../support/store-fixtures.js';

const fixture = new StoreFixture();
const test = backendTests(fixture, 'store/events');
test.after.each(() => fixture.cleanup());

test('events are numbered 1, 2, 3 … per submission, in order, and can be resumed after a sequence number', async () => {
  const store = await fixture.open();
  const assignment = await seed(store);
  const a = (await submit(store, assignment, { x: '1' })).submission.id;
  const b = (await submit(store, assignment, { x: '2' })).submission.id;
  await store.startAttempt(a, 1, by('w'));
  for (let i = 1; i <= 3; i++) assert.is((await store.appendEvent(a, 'test', { name: `t${i}`, verdict: 'AC' })).seq, 2 + i);
  await store.recordResult(a, 1, {}, { verdict: 'AC', score: 1, maxScore: 1, gradable: true });
  const events = await store.listEvents(a);
  assert.equal(events.map((e) => [e.seq, e.type]), [[1, 'queued'], [2, 'running'], [3, 'test'], [4, 'test'], [5, 'test'], [6, 'graded']]);
  assert.equal(events[3]!.data, { name: 't2', verdict: 'AC' });
  assert.ok(events.every((e, i) => i === 0 || e.createdAt >= events[i - 1]!.createdAt));
  assert.equal((await store.listEvents(a, 4)).map((e) => e.seq), [5, 6]);
  assert.equal((await store.listEvents(a, 4, 1)).map((e) => e.seq), [5]);
  assert.equal(await store.listEvents(a, 6), []);
  assert.equal((await store.listEvents(b)).map((e) => [e.seq, e.type]), [[1, 'queued']], 'numbering is per submission');
});

test('an unknown event type, an unknown submission and bad data are refused', async () => {
  const store = await fixture.open();
  const assignment = await seed(store);
  const id = (await submit(store, assignment, { x: '1' })).submission.id;
  await userError(store.appendEvent(id, 'exploded' as 'test', {}), 'E_BAD_INPUT');
  await userError(store.appendEvent('sub_AAAAAAAAAAAAAAAAAAAAAA', 'test', {}), 'E_NOT_FOUND');
  await userError(store.appendEvent(id, 'test', 'text' as unknown as object), 'E_BAD_INPUT');
  await userError(store.listEvents('sub_AAAAAAAAAAAAAAAAAAAAAA'), 'E_NOT_FOUND');
  await userError(store.listEvents(id, -1), 'E_BAD_INPUT');
  assert.is((await store.listEvents(id)).length, 1);
});

test('a submission whose outbox row cannot be written is not stored at all: no row, no files, no event', async () => {
  const dir = fixture.dataDir();
  const store = await fixture.open(dir);
  const assignment = await seed(store);
  const repair = await fixture.breakInserts(dir, 'outbox');
  const error = await internalError(submit(store, assignment, { 'main.c': 'x' }), 'E_STORE_CONSTRAINT');
  assert.not.match(error.message, /injected/, 'the database\'s raw message stays in the cause');
  assert.match(String((error.cause as Error).message), /injected failure/);
  await repair();
  for (const table of ['submissions', 'submission_files', 'events', 'outbox']) assert.equal(await fixture.rows(dir, `SELECT * FROM ${table}`), [], table);
  assert.ok((await submit(store, assignment, { 'main.c': 'x' })).created);
});

test('a state change whose event cannot be written does not happen: status and result stay as they were', async () => {
  const dir = fixture.dataDir();
  const store = await fixture.open(dir);
  const assignment = await seed(store);
  const id = (await submit(store, assignment, { 'main.c': 'x' })).submission.id;
  const repair = await fixture.breakInserts(dir, 'events');
  await internalError(store.startAttempt(id, 1, by('w')), 'E_STORE_CONSTRAINT');
  await internalError(store.recordResult(id, 1, { score: 1 }, { verdict: 'AC', score: 1, maxScore: 1, gradable: true }), 'E_STORE_CONSTRAINT');
  await internalError(store.requestRegrade(id), 'E_STORE_CONSTRAINT');
  await repair();
  const submission = await store.getSubmission(id);
  assert.equal([submission?.status, submission?.gradeNumber, submission?.attempts, submission?.result], ['queued', 1, 0, null]);
  assert.equal(await fixture.rows(dir, 'SELECT * FROM results'), []);
  assert.is((await store.pendingOutbox(10)).length, 1);
  assert.equal(await store.recordResult(id, 1, { score: 1 }, { verdict: 'AC', score: 1, maxScore: 1, gradable: true }), { stored: true }, 'nothing half-stored blocks the real result');
});

test('the last event of a submission always matches its status', async () => {
  const store = await fixture.open();
  const assignment = await seed(store);
  const id = (await submit(store, assignment, { x: '1' })).submission.id;
  const steps: Array<() => Promise<unknown>> = [
    () => store.startAttempt(id, 1, by('w')),
    () => store.recordFailure(id, 1, 'sandbox failed'),
    () => store.requestRegrade(id),
    () => store.startAttempt(id, 2, by('w')),
    () => store.recordResult(id, 2, {}, { verdict: 'WA', score: 0, maxScore: 1, gradable: true }),
  ];
  for (const step of steps) {
    await step();
    const [submission, events] = await Promise.all([store.getSubmission(id), store.listEvents(id)]);
    assert.is(events.at(-1)?.type, submission?.status);
    assert.is(events.at(-1)?.data.gradeNumber, submission?.gradeNumber);
  }
});

test.run();
