// Files a grading job carries: written exactly, in the job's folder only; anything unsafe or
// altered is the API's fault (InternalError), never written. The API side puts only small ones in.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { inlineFilesOf } from '../../services/api/inline-files.js';
import { InternalError } from '../../services/common/errors.js';
import { writeInlineFiles } from '../../services/intake/inline-files.js';
import { gradingJobSchema, INLINE_FILES_MAX_BYTES, type InlineFile } from '../../services/protocol/grading-job.js';
import { StoreFixture, seed, sha256, submit } from '../support/store-fixtures.js';
import { gradingJob } from '../support/queue-fixtures.js';

const stores = new StoreFixture();
const scratchDirs: string[] = [];
test.after.each(async () => {
  await stores.cleanup();
  for (const dir of scratchDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gradebox-inline-t-'));
  scratchDirs.push(dir);
  return dir;
}

function inline(path: string, content: string | Buffer): InlineFile {
  const bytes = Buffer.from(content);
  return { path, sha256: createHash('sha256').update(bytes).digest('hex'), base64: bytes.toString('base64') };
}

test('the files are written byte for byte, folders included', async () => {
  const parent = scratch();
  const binary = Buffer.from([0, 255, 10, 13, 1]);
  const dir = await writeInlineFiles([inline('main.py', 'print(1)\n'), inline('lib/util/data.bin', binary)], join(parent, 'submission'));
  assert.is(readFileSync(join(dir, 'main.py'), 'utf8'), 'print(1)\n');
  assert.equal(readFileSync(join(dir, 'lib', 'util', 'data.bin')), binary);
});

test('unsafe paths, altered content and duplicates are refused as internal errors, nothing written outside', async () => {
  const cases: [string, InlineFile[], RegExp][] = [
    ['parent', [inline('../escape.txt', 'x')], /unsafe path/],
    ['absolute', [inline('/tmp/escape.txt', 'x')], /unsafe path/],
    ['not normalized', [inline('a//b.txt', 'x')], /not normalized/],
    ['altered', [{ ...inline('a.txt', 'x'), base64: Buffer.from('y').toString('base64') }], /sha256/],
    ['twice', [inline('a.txt', 'x'), inline('a.txt', 'x')], /cannot write/],
    ['file under a file', [inline('a', 'x'), inline('a/b', 'y')], /cannot write/],
  ];
  for (const [name, files, message] of cases) {
    const parent = scratch();
    const error = await writeInlineFiles(files, join(parent, 'submission')).then(() => null, (e: unknown) => e);
    assert.instance(error, InternalError, name);
    assert.is((error as InternalError).code, 'E_JOB_FILES', name);
    assert.match((error as Error).message, message, name);
    assert.equal(readdirSync(parent), ['submission'], `${name}: nothing beside the job's folder`);
    assert.not.ok(existsSync(join(tmpdir(), 'escape.txt')), name);
  }
});

test('a job carries at most INLINE_FILES_MAX_BYTES of files', () => {
  const fits = gradingJob({ files: [inline('a.txt', 'x'.repeat(INLINE_FILES_MAX_BYTES))] });
  assert.ok(gradingJobSchema.safeParse(fits).success);
  const over = gradingJob({ files: [inline('a.txt', 'x'.repeat(INLINE_FILES_MAX_BYTES - 10)), inline('b.txt', 'y'.repeat(11))] });
  const parsed = gradingJobSchema.safeParse(over);
  assert.not.ok(parsed.success);
  assert.match(parsed.error!.issues[0]!.message, /at most 16384 bytes/);
  assert.not.ok(gradingJobSchema.safeParse(gradingJob({ files: [{ ...inline('a.txt', 'x'), base64: 'not base64!' }] })).success);
});

test('the API inlines a small submission and leaves a big one to be fetched', async () => {
  const store = await stores.open();
  const assignment = await seed(store);
  const small = await submit(store, assignment, { 'main.c': 'int main(void) { return 0; }\n', 'src/util.h': '#pragma once\n' });
  const files = await inlineFilesOf(store, small.submission.id);
  assert.equal(files?.map((f) => [f.path, Buffer.from(f.base64, 'base64').toString()]).sort(), [
    ['main.c', 'int main(void) { return 0; }\n'], ['src/util.h', '#pragma once\n'],
  ]);
  assert.ok(gradingJobSchema.safeParse(gradingJob({ files })).success, 'what the API inlines passes the job schema');
  // Files kept in the database (brought with the submission) are inlined just the same.
  const content = Buffer.from('print(1)\n');
  const kept = await store.createSubmission({
    courseId: 'cs101', assignmentId: assignment.id, student: 'bob', files: [{ path: 'main.py', sha256: sha256(content), size: content.length, content }],
  });
  assert.equal((await inlineFilesOf(store, kept.submission.id))?.map((f) => [f.path, Buffer.from(f.base64, 'base64').toString()]), [['main.py', 'print(1)\n']]);
  const big = await submit(store, assignment, { 'main.c': 'x'.repeat(INLINE_FILES_MAX_BYTES), 'extra.c': 'y' });
  assert.is(await inlineFilesOf(store, big.submission.id), undefined);
});

test.run();
