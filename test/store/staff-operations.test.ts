// The operations the staff API reads and writes, on each backend: courses renamed and archived,
// draft assignments and their counts, submission listings filtered a page at a time, regrades by
// filter, grader samples and self-tests, incident triage, the staff audit chain, progress events,
// the queue's statistics.
import * as assert from 'uvu/assert';

import { StoreFixture, backendTests, by, seed, submit, userError } from '../support/store-fixtures.js';

const fixture = new StoreFixture();
const test = backendTests(fixture, 'store/staff-operations');
test.after.each(() => fixture.cleanup());

const AC = { verdict: 'AC', score: 10, maxScore: 10, gradable: true };
const WA = { verdict: 'WA', score: 4, maxScore: 10, gradable: true };

test('a course is renamed and archived (again keeps the first time), then reopened', async () => {
  const store = await fixture.open();
  await store.createCourse('cs101', 'Intro');
  assert.is((await store.renameCourse('cs101', 'Intro to CS')).name, 'Intro to CS');
  const archived = await store.setCourseArchived('cs101', true);
  assert.ok(archived.archivedAt);
  assert.is((await store.setCourseArchived('cs101', true)).archivedAt, archived.archivedAt);
  assert.is((await store.setCourseArchived('cs101', false)).archivedAt, null);
  await userError(store.renameCourse('cs999', 'x'), 'E_NOT_FOUND');
});

test('a draft assignment is made once; its state changes; counts take each student\'s newest graded submission', async () => {
  const store = await fixture.open();
  const sum = await seed(store);
  const draft = await store.addDraftAssignment('cs101', 'sum2', 'upload:sum2.zip', sum.graderDigest);
  assert.is(draft.state, 'draft');
  await userError(store.addDraftAssignment('cs101', 'sum2', 'upload:sum2.zip', sum.graderDigest), 'E_ASSIGNMENT_EXISTS');
  assert.is((await store.setAssignmentState('cs101', 'sum2', 'published')).state, 'published');
  await userError(store.setAssignmentState('cs101', 'sum2', 'gone' as never), 'E_BAD_INPUT');
  const first = (await submit(store, sum, { 'main.c': 'v1' }, { student: 'ada' })).submission.id;
  const second = (await submit(store, sum, { 'main.c': 'v2' }, { student: 'ada' })).submission.id;
  const grace = (await submit(store, sum, { 'main.c': 'v3' }, { student: 'grace' })).submission.id;
  await store.recordResult(first, 1, { score: 10 }, AC);
  await store.recordResult(second, 1, { score: 4 }, WA);
  await store.recordResult(grace, 1, { score: 10 }, AC);
  const [counts] = (await store.countAssignmentSubmissions('cs101')).filter((c) => c.assignmentId === sum.id);
  assert.equal([counts!.submissions, counts!.students, counts!.byStatus], [3, 2, { graded: 3 }]);
  assert.equal(counts!.byVerdict, { AC: 1, WA: 1 }, 'ada\'s newest is WA, grace\'s AC');
  assert.equal(counts!.scoreHistogram, [0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
});

test('a listing filters by student, status, verdict and date, and a cursor pages through ties without skipping one', async () => {
  const store = await fixture.open();
  const sum = await seed(store);
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) ids.push((await submit(store, sum, { 'main.c': `v${i}` }, { student: i % 2 ? 'ada' : 'grace' })).submission.id);
  await store.recordResult(ids[0]!, 1, { score: 4 }, WA);
  assert.equal((await store.listSubmissions({ courseId: 'cs101', student: 'ada' })).map((s) => s.id).sort(), [ids[1], ids[3]].sort());
  assert.equal((await store.listSubmissions({ courseId: 'cs101', verdict: 'WA' })).map((s) => s.id), [ids[0]]);
  assert.is((await store.listSubmissions({ courseId: 'cs101', status: 'queued' })).length, 4);
  assert.is((await store.listSubmissions({ courseId: 'cs101', since: '2999-01-01T00:00:00Z' })).length, 0);
  const seen: string[] = [];
  let after: { createdAt: string; id: string } | undefined;
  for (;;) {
    const page = await store.listSubmissions({ courseId: 'cs101', after, limit: 2 });
    seen.push(...page.map((s) => s.id));
    if (page.length < 2) break;
    after = { createdAt: page.at(-1)!.createdAt, id: page.at(-1)!.id };
  }
  assert.equal([...seen].sort(), [...ids].sort(), 'every submission once');
  await userError(store.listSubmissions({ courseId: 'cs101', status: 'lost' as never }), 'E_BAD_INPUT');
});

test('a regrade by filter regrades each submission it takes, once, and counts its outcomes as they come', async () => {
  const store = await fixture.open();
  const sum = await seed(store);
  const ids = [];
  for (const student of ['ada', 'grace', 'ada']) ids.push((await submit(store, sum, { 'main.c': student }, { student })).submission.id);
  const batch = await store.createRegradeBatch({ courseId: 'cs101', student: 'ada' }, 'user:ia@example.org', 10);
  assert.equal([batch.total, batch.done, batch.failed], [2, 0, 0]);
  const regraded = ids.filter((_, i) => i !== 1);
  for (const id of regraded) assert.is((await store.getSubmission(id))!.gradeNumber, 2);
  assert.is((await store.getSubmission(ids[1]!))!.gradeNumber, 1, 'grace not taken');
  await store.recordResult(regraded[0]!, 2, { score: 10 }, AC);
  await store.recordFailure(regraded[1]!, 2, 'the sandbox failed');
  assert.equal(await store.getRegradeBatch(batch.id).then((b) => [b!.total, b!.done, b!.failed]), [2, 2, 1]);
  await userError(store.createRegradeBatch({ courseId: 'cs101' }, 'x', 2), 'E_TOO_MANY');
  assert.is(await store.getRegradeBatch('rg_nothing'), null);
});

test('a grader\'s samples become self-test submissions that no listing shows; the self-test reads their verdicts', async () => {
  const store = await fixture.open();
  const sum = await seed(store);
  const blob = await store.putBlob(Buffer.from('int main(void) { return 0; }\n'));
  const files = [{ path: 'main.c', sha256: blob.sha256, size: blob.size }];
  await store.setGraderSamples(sum.id, sum.graderDigest, [{ name: 'accepted.c', expectedVerdict: 'AC', files }, { name: 'wrong.c', expectedVerdict: 'WA', files }]);
  await userError(store.setGraderSamples(sum.id, sum.graderDigest, [{ name: 'x', expectedVerdict: 'MAYBE', files }]), 'E_BAD_INPUT');
  assert.equal((await store.listGraderSamples(sum.id, sum.graderDigest)).map((s) => s.name), ['accepted.c', 'wrong.c']);
  const started = await store.startSelfTest(sum.id, 'key:key_x');
  assert.equal(started.cases.map((c) => [c.name, c.status, c.verdict]), [['accepted.c', 'queued', null], ['wrong.c', 'queued', null]]);
  await store.recordResult(started.cases[0]!.submissionId, 1, { score: 10 }, AC);
  const latest = (await store.latestSelfTest(sum.id))!;
  assert.is(latest.id, started.id);
  assert.equal(latest.cases.map((c) => c.verdict), ['AC', null]);
  assert.equal(await store.listSubmissions({ courseId: 'cs101' }), [], 'self-tests are no student\'s');
  assert.is((await store.listSubmissions({ courseId: 'cs101', purpose: 'self_test' })).length, 2);
});

test('an incident is triaged with a note and who did it; listings filter by state and page by id', async () => {
  const store = await fixture.open();
  const sum = await seed(store);
  const id = (await submit(store, sum, { 'main.c': 'x' })).submission.id;
  const first = await store.addIncident({ submissionId: id, gradeNumber: 1, syscall: 'mount', evidenceSha256: null, evidencePath: null, record: {} });
  const second = await store.addIncident({ submissionId: id, gradeNumber: 1, syscall: 'ptrace', evidenceSha256: null, evidencePath: null, record: {} });
  assert.equal(first.triage, { state: 'new', note: null, by: null, at: null });
  const triaged = await store.setIncidentTriage(first.id, { state: 'escalated', note: 'looked at /etc', by: 'user:ia@example.org' });
  assert.equal([triaged.triage.state, triaged.triage.note, triaged.triage.by], ['escalated', 'looked at /etc', 'user:ia@example.org']);
  assert.equal((await store.listIncidents({ courseId: 'cs101', state: 'new' })).map((i) => i.id), [second.id]);
  assert.equal((await store.listIncidents({ courseId: 'cs101', beforeId: second.id })).map((i) => i.id), [first.id]);
  assert.equal((await store.getIncident(first.id))?.triage.state, 'escalated');
  await userError(store.setIncidentTriage(first.id, { state: 'solved' as never, by: 'x' }), 'E_BAD_INPUT');
  await userError(store.setIncidentTriage(99_999, { state: 'reviewed', by: 'x' }), 'E_NOT_FOUND');
});

test('the staff audit chain appends one line after another, even from concurrent writers, and lists them by course', async () => {
  const store = await fixture.open();
  const append = (course: string | null, n: number) => store.appendAuditLine(course, (last) => ({ seq: (last?.seq ?? 0) + 1, line: `line ${n} after ${last?.seq ?? 0}` }));
  await Promise.all(Array.from({ length: 8 }, (_, n) => append(n % 2 ? 'cs101' : null, n)));
  const chain = await store.readAuditChain(0, 100);
  assert.equal(chain.map((l) => l.seq), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.ok(chain.every((l, i) => l.line.endsWith(`after ${i}`)), 'each line made from the one before it');
  assert.equal((await store.listAuditLines({ courseId: 'cs101' })).length, 4);
  assert.equal((await store.listAuditLines({ beforeSeq: 3, limit: 5 })).map((l) => l.seq), [2, 1]);
  const fork = await store.appendAuditLine(null, () => ({ seq: 3, line: 'a fork' })).then(() => null, (error: unknown) => error as { code?: string });
  assert.is(fork?.code, 'E_AUDIT_CHAIN', 'a line that does not follow the last is refused');
});

test('progress becomes test events of the latest grading only while it runs; attempts and queue statistics are read back', async () => {
  const store = await fixture.open();
  const sum = await seed(store);
  const id = (await submit(store, sum, { 'main.c': 'x' })).submission.id;
  await store.startAttempt(id, 1, by('worker-a'));
  assert.equal(await store.queueDepthByCourse(), [{ courseId: 'cs101', queued: 0, running: 1 }]);
  const event = await store.recordProgress(id, 1, { done: 1, total: 2, tests: [] });
  assert.equal([event?.type, event?.data.gradeNumber], ['test', 1]);
  await store.recordResult(id, 1, { score: 10 }, AC);
  assert.is(await store.recordProgress(id, 1, { done: 2, total: 2, tests: [] }), null, 'after the outcome');
  assert.equal((await store.listAttempts(id)).map((a) => [a.gradeNumber, a.workerId, a.attempt]), [[1, 'worker-a', 1]]);
  const stats = await store.gradingStats(new Date(Date.now() - 60_000).toISOString());
  assert.is(stats.finished, 1);
  assert.ok(stats.latencyP50Ms !== null && stats.latencyP50Ms >= 0);
  assert.equal(await store.queueDepthByCourse(), []);
});

test.run();
