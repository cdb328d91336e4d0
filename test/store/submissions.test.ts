// Submissions: stored with their files, an outbox row and a `queued` event at
// once; an idempotency key gives one submission however often it is retried; caps and bad manifests refused.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

import * as assert from 'uvu/assert';

import { StoreFixture, backendTests, addAssignment, seed, sha256, submit, userError } from '../support/store-fixtures.js';

const fixture = new StoreFixture();
const test = backendTests(fixture, 'store/submissions');
test.after.each(() => fixture.cleanup());

/** Rows of the database's blob contents holding `sha256` (PostgreSQL keeps small grader snapshots there too). */
async function countContents(dir: string, sha256: string): Promise<number> {
  return (await fixture.rows(dir, `SELECT sha256 FROM blob_contents WHERE sha256 = '${sha256}'`)).length;
}

test('a new submission is queued with its files, one outbox row and one queued event', async () => {
  const store = await fixture.open();
  const assignment = await seed(store);
  const { submission, created } = await submit(store, assignment, { 'main.c': 'int main(void){return 0;}\n', 'lib/util.h': '#pragma once\n' });
  assert.ok(created);
  assert.match(submission.id, /^sub_[A-Za-z0-9_-]{22}$/);
  assert.equal(
    { ...submission, id: '', createdAt: '', updatedAt: '' },
    { id: '', courseId: 'cs101', assignmentId: assignment.id, assignmentName: 'sum', student: 'ada', status: 'queued', gradeNumber: 1, attempts: 0,
      fileCount: 2, totalBytes: 39, entry: null, createdAt: '', updatedAt: '', error: null, errorCode: null, result: null, resultGradeNumber: null, purpose: 'student' },
  );
  assert.equal(await store.getSubmission(submission.id), submission);
  assert.equal(await store.listSubmissionFiles(submission.id), [
    { path: 'lib/util.h', sha256: sha256('#pragma once\n'), size: 13 },
    { path: 'main.c', sha256: sha256('int main(void){return 0;}\n'), size: 26 },
  ]);
  const outbox = await store.pendingOutbox(10);
  assert.equal(outbox.map((o) => [o.submissionId, o.kind, o.gradeNumber, o.courseId, o.graderDigest]), [[submission.id, 'grade', 1, 'cs101', assignment.graderDigest]]);
  assert.equal((await store.listEvents(submission.id)).map((e) => [e.seq, e.type, e.data]), [[1, 'queued', { gradeNumber: 1, kind: 'grade' }]]);
});

test('the entry file a submission names is stored and reaches its job; one that is not among its files is refused', async () => {
  const store = await fixture.open();
  const assignment = await seed(store);
  const files = { 'solve.py': 'import message\n', 'message.py': 'TEXT = 1\n' };
  const { submission } = await submit(store, assignment, files, { entry: 'solve.py' });
  assert.is((await store.getSubmission(submission.id))?.entry, 'solve.py');
  assert.equal((await store.pendingOutbox(10)).map((o) => [o.submissionId, o.entry]), [[submission.id, 'solve.py']]);
  for (const entry of ['main.py', '', 'lib/../solve.py']) {
    const error = await userError(submit(store, assignment, files, { entry }), 'E_BAD_INPUT');
    assert.match(error.message, /is not one of the submission's files/);
  }
});

test('the request id of an upload and of a regrade reaches its grading request (the job); none is null; a bad one is refused and stores nothing', async () => {
  const store = await fixture.open();
  const assignment = await seed(store);
  const { submission } = await submit(store, assignment, { 'main.c': 'int main(void){return 0;}\n' }, { requestId: 'r-123' });
  await store.requestRegrade(submission.id, 'f3b1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d');
  const plain = await submit(store, assignment, { 'other.c': 'int main(void){return 1;}\n' }, { student: 'bob' });
  assert.equal((await store.pendingOutbox(10)).map((o) => [o.submissionId, o.gradeNumber, o.requestId]), [
    [submission.id, 1, 'r-123'], [submission.id, 2, 'f3b1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d'], [plain.submission.id, 1, null],
  ]);
  assert.equal((await store.claimOutbox(10, 60_000)).map((o) => o.requestId), ['r-123', 'f3b1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d', null], 'claimed rows carry it too');
  const hostile = await userError(submit(store, assignment, { 'x.c': 'int x;\n' }, { student: 'eve', requestId: 'r-1\n{"level":60}' }), 'E_BAD_INPUT');
  assert.match(hostile.message, /request id .* is not allowed/);
  await userError(store.requestRegrade(submission.id, 'x'.repeat(129)), 'E_BAD_INPUT');
  assert.is((await store.listSubmissions({ courseId: 'cs101' })).length, 2, 'the refused upload stored nothing');
  assert.is((await store.getSubmission(submission.id))?.gradeNumber, 2, 'nor the refused regrade');
});

test('submission ids are random and unguessable: no two alike, and an unknown or malformed id is simply absent', async () => {
  const store = await fixture.open();
  const assignment = await seed(store);
  const ids = new Set<string>();
  for (let i = 0; i < 20; i++) ids.add((await submit(store, assignment, { 'a.py': 'print(1)\n' })).submission.id);
  assert.is(ids.size, 20);
  for (const id of ['sub_AAAAAAAAAAAAAAAAAAAAAA', "sub_' OR 1=1 --", '../etc', '']) assert.is(await store.getSubmission(id), null);
  await userError(store.listSubmissionFiles('sub_AAAAAAAAAAAAAAAAAAAAAA'), 'E_NOT_FOUND');
});

test('the same idempotency key twice gives one submission and one outbox row', async () => {
  const dir = fixture.dataDir();
  const store = await fixture.open(dir);
  const assignment = await seed(store);
  const first = await submit(store, assignment, { 'main.c': 'v1' }, { idempotencyKey: 'upload-42' });
  const again = await submit(store, assignment, { 'main.c': 'v1' }, { idempotencyKey: 'upload-42' });
  assert.ok(first.created);
  assert.not.ok(again.created);
  assert.equal(again.submission, first.submission);
  assert.is(await fixture.count(dir, 'submissions'), 1);
  assert.is(await fixture.count(dir, 'outbox'), 1);
  assert.is(await fixture.count(dir, 'events'), 1);
  assert.ok((await submit(store, assignment, { 'main.c': 'v1' }, { idempotencyKey: 'upload-43' })).created, 'another key is another submission');
});

test('an idempotency key is per course: the same key in another course is another submission', async () => {
  const store = await fixture.open();
  const a = await seed(store, 'course-a');
  const b = await seed(store, 'course-b');
  const inA = await submit(store, a, { 'main.c': 'x' }, { idempotencyKey: 'k1' });
  const inB = await submit(store, b, { 'main.c': 'x' }, { idempotencyKey: 'k1' });
  assert.ok(inA.created && inB.created);
  assert.is.not(inA.submission.id, inB.submission.id);
});

test('reusing a key for another student or assignment is a conflict, and stores nothing', async () => {
  const dir = fixture.dataDir();
  const store = await fixture.open(dir);
  const assignment = await seed(store);
  const other = await addAssignment(store, 'cs101', 'mean', '/srv/graders/mean-python', sha256('mean'));
  await submit(store, assignment, { 'main.c': 'x' }, { idempotencyKey: 'k' });
  const error = await userError(submit(store, assignment, { 'main.c': 'x' }, { idempotencyKey: 'k', student: 'bob' }), 'E_IDEMPOTENCY_CONFLICT');
  assert.match(error.message, /"k"/);
  await userError(submit(store, other, { 'main.c': 'x' }, { idempotencyKey: 'k' }), 'E_IDEMPOTENCY_CONFLICT');
  assert.is(await fixture.count(dir, 'submissions'), 1);
  assert.is(await fixture.count(dir, 'outbox'), 1);
});

test('caps on the number of files and on total bytes; exactly at the cap is fine', async () => {
  const dir = fixture.dataDir();
  const store = await fixture.open(dir, { maxFilesPerSubmission: 3, maxSubmissionBytes: 100 });
  const assignment = await seed(store);
  await userError(submit(store, assignment, { a: '1', b: '2', c: '3', d: '4' }), 'E_TOO_MANY_FILES');
  await userError(submit(store, assignment, { a: 'x'.repeat(60), b: 'y'.repeat(41) }), 'E_TOO_LARGE');
  assert.is(await fixture.count(dir, 'submissions'), 0);
  assert.ok((await submit(store, assignment, { a: 'x'.repeat(60), b: 'y'.repeat(39), c: 'z' })).created);
});

test('bad manifests are refused with the file named: paths, duplicates, missing blobs, wrong sizes, no files', async () => {
  const store = await fixture.open();
  const assignment = await seed(store);
  const blob = await store.putBlob(Buffer.from('content'));
  const file = { path: 'main.c', sha256: blob.sha256, size: blob.size };
  const base = { courseId: 'cs101', assignmentId: assignment.id, student: 'ada' };
  for (const path of ['../evil.c', '/etc/passwd', 'a//b', 'a/./b', 'dir\\x.c', '', 'x\u0000y']) {
    await userError(store.createSubmission({ ...base, files: [{ ...file, path }] }), 'E_BAD_INPUT');
  }
  const twice = await userError(store.createSubmission({ ...base, files: [file, { ...file }] }), 'E_BAD_INPUT');
  assert.match(twice.message, /"main\.c" appears twice/);
  await userError(store.createSubmission({ ...base, files: [{ ...file, sha256: sha256('never stored') }] }), 'E_BLOB_MISSING');
  await userError(store.createSubmission({ ...base, files: [{ ...file, sha256: '../../etc/passwd' }] }), 'E_BAD_DIGEST');
  await userError(store.createSubmission({ ...base, files: [{ ...file, size: 3 }] }), 'E_BAD_INPUT');
  await userError(store.createSubmission({ ...base, files: [] }), 'E_BAD_INPUT');
  await userError(store.createSubmission({ ...base, student: '' , files: [file] }), 'E_BAD_INPUT');
  assert.equal(await store.listSubmissions({ courseId: 'cs101' }), []);
});

test('small files brought with a submission are kept in the database, in its commit: no blob file, each content once, checked against its digest', async () => {
  const dir = fixture.dataDir();
  const store = await fixture.open(dir);
  const assignment = await seed(store);
  const source = Buffer.from('int main(void){return 0;}\n');
  const brought = { path: 'main.c', sha256: sha256(source), size: source.length, content: source };
  const base = { courseId: 'cs101', assignmentId: assignment.id, student: 'ada' };
  const blobFolders = readdirSync(join(dir, 'blobs')); // tmp/ and the grader snapshot's
  const first = await store.createSubmission({ ...base, files: [brought] });
  assert.equal(await store.getBlob(brought.sha256), { size: source.length, content: source });
  assert.equal(readdirSync(join(dir, 'blobs')), blobFolders, 'no blob file made');
  assert.equal(await store.listSubmissionFiles(first.submission.id), [{ path: 'main.c', sha256: brought.sha256, size: source.length }]);
  // The same content again, brought or only named, is stored once.
  await store.createSubmission({ ...base, student: 'bob', files: [brought] });
  await store.createSubmission({ ...base, student: 'cy', files: [{ path: 'main.c', sha256: brought.sha256, size: source.length }] });
  assert.is(await countContents(dir, brought.sha256), 1);
  // Content that is not what its digest or size says is refused, and nothing of it is kept.
  const other = Buffer.from('something else');
  for (const lie of [{ ...brought, content: other }, { ...brought, sha256: sha256(other), size: source.length }]) {
    const error = await userError(store.createSubmission({ ...base, student: 'eve', files: [lie] }), 'E_BAD_INPUT');
    assert.match(error.message, /"main\.c"/);
  }
  // Refused inside its transaction (a key already used for another student), a submission keeps none of what it brought.
  await store.createSubmission({ ...base, idempotencyKey: 'upload-1', files: [brought] });
  const extra = Buffer.from('extra');
  const files = [{ path: 'extra.c', sha256: sha256(extra), size: extra.length, content: extra }];
  await userError(store.createSubmission({ ...base, student: 'eve', idempotencyKey: 'upload-1', files }), 'E_IDEMPOTENCY_CONFLICT');
  assert.is(await store.getBlob(sha256(extra)), null);
  assert.is(await countContents(dir, brought.sha256), 1);
  assert.is(await fixture.count(dir, 'submissions'), 4);
});

test('an assignment of another course, or an unknown one, is not found', async () => {
  const store = await fixture.open();
  const mine = await seed(store, 'cs101');
  const theirs = await seed(store, 'cs102');
  const blob = await store.putBlob(Buffer.from('x'));
  const files = [{ path: 'a.c', sha256: blob.sha256, size: 1 }];
  await userError(store.createSubmission({ courseId: 'cs101', assignmentId: theirs.id, student: 'ada', files }), 'E_NOT_FOUND');
  await userError(store.createSubmission({ courseId: 'cs101', assignmentId: 9999, student: 'ada', files }), 'E_NOT_FOUND');
  assert.ok((await store.createSubmission({ courseId: 'cs101', assignmentId: mine.id, student: 'ada', files })).created);
});

test('re-adding an assignment updates its grader and keeps its id; listing; a grader without a stored snapshot is refused', async () => {
  const store = await fixture.open();
  const first = await seed(store);
  const error = await userError(store.addAssignment('cs101', 'sum', '/srv/graders/sum-c-v2', sha256('v2')), 'E_NO_GRADER_SNAPSHOT');
  assert.match(error.message, /store it first/);
  assert.is((await store.findAssignment('cs101', 'sum'))?.graderDigest, first.graderDigest, 'left as it was');
  const updated = await addAssignment(store, 'cs101', 'sum', '/srv/graders/sum-c-v2', sha256('v2'));
  assert.is(updated.id, first.id);
  assert.is(updated.graderDigest, sha256('v2'));
  assert.equal((await store.listAssignments('cs101')).map((a) => [a.name, a.graderDir]), [['sum', '/srv/graders/sum-c-v2']]);
  assert.is(await store.findAssignment('cs101', 'nope'), null);
  await userError(store.addAssignment('cs101', '../x', '/srv/g', sha256('g')), 'E_BAD_INPUT');
  await userError(store.addAssignment('cs101', 'x', 'relative/dir', sha256('g')), 'E_BAD_INPUT');
  await userError(store.addAssignment('cs101', 'x', '/srv/g', 'not-a-digest'), 'E_BAD_DIGEST');
  await userError(store.addAssignment('nope', 'x', '/srv/g', sha256('g')), 'E_NOT_FOUND');
});

test('listSubmissions filters by assignment and student, newest first, within a course', async () => {
  const store = await fixture.open();
  const assignment = await seed(store);
  const other = await seed(store, 'cs102');
  const s1 = (await submit(store, assignment, { a: '1' })).submission;
  const s2 = (await submit(store, assignment, { a: '2' }, { student: 'bob' })).submission;
  await submit(store, other, { a: '3' });
  assert.equal((await store.listSubmissions({ courseId: 'cs101' })).map((s) => s.id), [s2.id, s1.id]);
  assert.equal((await store.listSubmissions({ courseId: 'cs101', student: 'ada' })).map((s) => s.id), [s1.id]);
  assert.equal((await store.listSubmissions({ courseId: 'cs101', assignmentId: assignment.id, limit: 1 })).map((s) => s.id), [s2.id]);
});

test.run();
