// What the upload route refuses at once (422) because it could never be graded, over HTTP on the
// real API: files that cannot be the assignment's language, an `entry` field that names no
// uploaded file or no source file, an upload without the file the grader starts every program
// from. What it keeps: the entry file a submission names, for every grading of it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { uploadSubmission } from '../../services/bench/portal-client.js';
import type { PrivateRedis } from '../../services/queue/private-redis.js';
import type { SubmissionRule } from '../../services/store/store.js';
import { COURSE, startTestApi, uploadOne, type TestApi } from '../support/api-fixtures.js';
import { removeTempDirs } from '../support/helpers.js';
import { privateRedis } from '../support/queue-fixtures.js';
import { sha256 } from '../support/store-fixtures.js';

let redis: PrivateRedis;
let api: TestApi;

/** An assignment whose grader snapshot says what its submissions must hold. */
async function addRuledAssignment(name: string, submissions: SubmissionRule): Promise<void> {
  const digest = sha256(name);
  await api.store.addGraderSnapshot({
    digest, tar: Buffer.from(`a tar of grader ${name}`),
    manifest: { tests: ['sample'], files: [{ path: 'grader.yaml', sha256: sha256(name), size: 10 }], submissions },
  });
  await api.store.addAssignment(COURSE, name, `/srv/graders/${name}`, digest);
}

test.before(async () => {
  redis = await privateRedis();
  api = await startTestApi(redis);
  await addRuledAssignment('mean', { language: 'python', extensions: ['.py'], entry: null });
  await addRuledAssignment('fixed-entry', { language: 'python', extensions: ['.py'], entry: 'main.py' });
  await addRuledAssignment('sum-cpp', { language: 'cpp', extensions: ['.cc', '.cpp', '.cxx'], entry: null });
});
test.after(async () => {
  await api?.service.close();
  await redis?.stop();
  removeTempDirs();
});

const TWO_FILES = { 'solve.py': 'import message\nprint(message.TEXT)\n', 'message.py': 'TEXT = "hi"\n', 'notes.txt': 'my notes\n' };

async function refused(assignment: string, files: Record<string, string>, code: string, entry?: string): Promise<string> {
  const sent = await uploadSubmission(api, { assignment, student: 'ada', ...(entry === undefined ? {} : { entry }) }, files);
  assert.equal([sent.status, sent.body.error?.code], [422, code], JSON.stringify(sent.body));
  return sent.body.error!.message;
}

test('files that cannot be the assignment\'s language are refused at upload, naming the extensions it takes', async () => {
  const before = (await api.store.pendingOutbox(100)).length;
  assert.is(await refused('mean', { 'mean.ipynb': '{}' }, 'E_UPLOAD_WRONG_LANGUAGE'),
    'assignment "mean" is graded as python: upload its .py source files, at the top of the submission (this upload has mean.ipynb)');
  assert.match(await refused('sum-cpp', { 'sum.c': 'int main(void){}\n', 'sum.h': '' }, 'E_UPLOAD_WRONG_LANGUAGE'),
    /graded as cpp: upload its \.cc, \.cpp or \.cxx source files, at the top of the submission \(this upload has sum\.c and sum\.h\)/);
  // A source in a folder is not at the top, where the grading looks for it.
  assert.match(await refused('mean', { 'hw1/mean.py': 'print(1)\n' }, 'E_UPLOAD_WRONG_LANGUAGE'), /this upload has hw1\/mean\.py/);
  assert.is((await api.store.pendingOutbox(100)).length, before, 'nothing refused was queued');
});

test('an entry that is not an uploaded file, or not a source file of the language, is refused', async () => {
  assert.is(await refused('mean', TWO_FILES, 'E_UPLOAD_ENTRY_UNKNOWN', 'main.py'),
    'the entry "main.py" is not one of the uploaded files (solve.py, message.py and notes.txt); name the file the program starts from by its path in the upload');
  assert.match(await refused('mean', TWO_FILES, 'E_UPLOAD_ENTRY_NOT_SOURCE', 'notes.txt'), /the entry "notes\.txt" is not a python source file \(\.py\)/);
});

test('a grader that starts every program from its own entry file refuses an upload without it', async () => {
  assert.match(await refused('fixed-entry', TWO_FILES, 'E_UPLOAD_ENTRY_MISSING'), /starts every program from main\.py: upload a file named main\.py/);
});

test('the entry a submission names is kept with it; an empty entry field names none', async () => {
  const named = await uploadSubmission(api, { assignment: 'mean', student: 'ada', entry: 'solve.py' }, TWO_FILES);
  assert.is(named.status, 202, JSON.stringify(named.body));
  assert.is((await api.store.getSubmission(named.body.id!))?.entry, 'solve.py');
  const empty = await uploadSubmission(api, { assignment: 'mean', student: 'ada', entry: '' }, { 'mean.py': 'print(1)\n' });
  assert.is(empty.status, 202, JSON.stringify(empty.body));
  assert.is((await api.store.getSubmission(empty.body.id!))?.entry, null);
});

test('an assignment added before snapshots said what submissions hold checks nothing more at upload', async () => {
  // startTestApi's assignment has a snapshot without a rule: any files are queued, as before.
  assert.match(await uploadOne(api), /^sub_/);
});

test.run();
