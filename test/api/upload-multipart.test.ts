// Submission uploads as plain files: real multipart bodies through busboy into a staging folder, and every refusal.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { readSubmissionUpload } from '../../services/api/upload/submission-upload.js';
import { UploadError } from '../../services/intake/upload-error.js';
import {
  BOUNDARY, TempFolders, assertContained, assertReleased, endlessBody, listTree, multipartBody, refusal, uploadRequest, type Part,
} from './upload-fixtures.js';

const temp = new TempFolders();
test.after.each(() => temp.removeAll());

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

test('plain files with nested relative paths and fields arrive hashed: small ones in memory, a big one inside stagingDir/files', async () => {
  const where = temp.make();
  const big = randomBytes(300 * 1024); // over the memory allowance and several busboy chunks, so the writes see backpressure
  const request = uploadRequest(multipartBody([
    { field: 'assignment', value: 'sum-c' },
    { filename: 'main.c', content: 'int main(void){return 0;}\n' },
    { field: 'student', value: 'ada' },
    { filename: 'include/util/list.h', content: '#pragma once\n' },
    { filename: 'data\\blob.bin', content: big },
  ]), undefined, 7000);
  const upload = await readSubmissionUpload(request, where.staging);
  assert.equal(upload.fields, { assignment: 'sum-c', student: 'ada' });
  assert.equal(upload.files.map((f) => [f.path, f.size]), [
    ['main.c', 26], ['include/util/list.h', 13], ['data/blob.bin', big.length],
  ]);
  const [main, header, blob] = upload.files;
  assert.is(main!.content?.toString(), 'int main(void){return 0;}\n');
  assert.is(header!.content?.toString(), '#pragma once\n');
  for (const file of [main!, header!]) assert.is(sha256(file.content!), file.sha256, file.path);
  assert.is(blob!.diskPath, join(where.staging, 'files', 'data', 'blob.bin'));
  assert.is(sha256(readFileSync(blob!.diskPath!)), sha256(big));
  assert.is(blob!.sha256, sha256(big));
  assert.equal(listTree(where.staging).map((e) => e.path), ['files', 'files/data', 'files/data/blob.bin'], 'only the big file touched the disk');
  assertContained(where, 400 * 1024);
  await assertReleased(request.stream);
});

test('the memory allowance is for the whole upload: a file that does not fit goes to disk, with what it had held', async () => {
  const where = temp.make();
  const upload = await readSubmissionUpload(uploadRequest(multipartBody([
    { filename: 'a.txt', content: 'x'.repeat(600) },
    { filename: 'b.txt', content: 'y'.repeat(600) }, // more than the 400 bytes left: written to disk
    { filename: 'c.txt', content: 'z'.repeat(300) },
    { filename: 'empty.txt', content: '' },
  ])), where.staging, { memoryBytes: 1000 });
  assert.equal(upload.files.map((f) => [f.path, f.size, f.content === undefined ? 'disk' : 'memory']),
    [['a.txt', 600, 'memory'], ['b.txt', 600, 'disk'], ['c.txt', 300, 'memory'], ['empty.txt', 0, 'memory']]);
  assert.is(readFileSync(upload.files[1]!.diskPath!, 'utf8'), 'y'.repeat(600));
  assert.equal(listTree(where.staging).map((e) => e.path), ['files', 'files/b.txt']);
  // A file that spills after some chunks were held: all of it lands on disk, in order.
  const other = temp.make();
  const big = randomBytes(200 * 1024);
  const spilled = await readSubmissionUpload(uploadRequest(multipartBody([{ filename: 'big.bin', content: big }]), undefined, 7000), other.staging, { memoryBytes: 100 * 1024 });
  assert.ok(readFileSync(spilled.files[0]!.diskPath!).equals(big));
});

test('the staging folder is made only when something goes to disk', async () => {
  const where = temp.make();
  const inMemory = join(where.staging, 'small');
  const small = await readSubmissionUpload(uploadRequest(multipartBody([{ filename: 'main.py', content: 'print(1)\n' }])), inMemory);
  assert.is(small.files[0]!.content?.toString(), 'print(1)\n');
  assert.not.ok(existsSync(inMemory), 'a submission kept in memory creates no folder');
  const spilling = join(where.staging, 'big');
  const big = await readSubmissionUpload(uploadRequest(multipartBody([{ filename: 'a.txt', content: 'x'.repeat(600) }])), spilling, { memoryBytes: 100 });
  assert.is(big.files[0]!.diskPath, join(spilling, 'files', 'a.txt'));
});

test('UTF-8 file names (raw and RFC 5987) are kept and NFC-normalized', async () => {
  const where = temp.make();
  const upload = await readSubmissionUpload(uploadRequest(multipartBody([
    { filename: 'résumé.txt', content: 'raw utf-8 in filename=""' },
    { filename: 'cafe\u0301/notes.md', content: 'decomposed, via filename*' },
  ])), where.staging);
  assert.equal(upload.files.map((f) => f.path), ['résumé.txt', 'caf\u00e9/notes.md']);
});

test('an unused browser file input (no file name, no content) is ignored; a nameless part with content is refused', async () => {
  const where = temp.make();
  const emptyPart = (content: string): Buffer => Buffer.from(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename=""\r\nContent-Type: application/octet-stream\r\n\r\n${content}\r\n`);
  const body = (content: string): Buffer => Buffer.concat([emptyPart(content), multipartBody([{ filename: 'a.py', content: 'print(1)\n' }])]);
  const upload = await readSubmissionUpload(uploadRequest(body('')), where.staging);
  assert.equal(upload.files.map((f) => f.path), ['a.py']);
  const other = temp.make();
  await refusal(readSubmissionUpload(uploadRequest(body('secret')), other.staging), 'E_UPLOAD_NAME_EMPTY', 422);
  assertContained(other, 0);
});

const nameRefusals: Array<[string, string]> = [
  ['../../evil', 'E_UPLOAD_NAME_TRAVERSAL'],
  ['src/../../evil', 'E_UPLOAD_NAME_TRAVERSAL'],
  ['..\\..\\evil', 'E_UPLOAD_NAME_TRAVERSAL'],
  ['/evil', 'E_UPLOAD_NAME_ABSOLUTE'],
  ['C:\\evil', 'E_UPLOAD_NAME_ABSOLUTE'],
  ['\\\\server\\share\\evil', 'E_UPLOAD_NAME_ABSOLUTE'],
  ['ev\u0001il', 'E_UPLOAD_NAME_CHARACTERS'],
  ['...', 'E_UPLOAD_NAME_DOTS'],
  ['dir/', 'E_UPLOAD_NAME_EMPTY'],
];

test('refused file names: traversal, absolute, UNC, control characters, dots, folder names', async () => {
  for (const [name, code] of nameRefusals) {
    const where = temp.make();
    const request = uploadRequest(multipartBody([{ filename: 'ok.c', content: 'x' }, { filename: name, content: 'payload' }]));
    const error = await refusal(readSubmissionUpload(request, where.staging), code, 422);
    assert.ok(error.message.includes('upload entry'), error.message);
    assertContained(where, 1);
    await assertReleased(request.stream);
  }
});

test('duplicate names after normalization, case-only duplicates and file/folder clashes are refused', async () => {
  for (const [first, second] of [['a.c', './a.c'], ['Main.java', 'main.java'], ['lib', 'lib/x.c'], ['src/a.c', 'src\\a.c']] as const) {
    const where = temp.make();
    const request = uploadRequest(multipartBody([{ filename: first, content: '1' }, { filename: second, content: '2' }]));
    await refusal(readSubmissionUpload(request, where.staging), 'E_UPLOAD_DUPLICATE', 422);
    assertContained(where, 1);
  }
});

test('too many files: refused at the first file over the cap', async () => {
  const where = temp.make();
  const parts: Part[] = Array.from({ length: 6 }, (_, i) => ({ filename: `f${i}.txt`, content: 'x' }));
  const request = uploadRequest(multipartBody(parts));
  await refusal(readSubmissionUpload(request, where.staging, { maxEntries: 5 }), 'E_UPLOAD_TOO_MANY_FILES', 413);
  assert.ok(listTree(where.staging).filter((e) => e.type === 'file').length <= 5);
  assertContained(where, 5);
  await assertReleased(request.stream);
});

test('a file over the per-file cap is refused with no more than the cap on disk', async () => {
  const where = temp.make();
  const request = uploadRequest(multipartBody([{ filename: 'big.bin', content: randomBytes(200 * 1024) }]), undefined, 4096);
  const error = await refusal(readSubmissionUpload(request, where.staging, { maxFileBytes: 64 * 1024 }), 'E_UPLOAD_FILE_TOO_LARGE', 413);
  assert.ok(error.message.includes('"big.bin"'), error.message);
  assertContained(where, 64 * 1024);
  await assertReleased(request.stream);
});

test('files adding up to more than the total cap are refused with no more than the cap on disk', async () => {
  const where = temp.make();
  const parts: Part[] = Array.from({ length: 4 }, (_, i) => ({ filename: `part${i}.bin`, content: randomBytes(40 * 1024) }));
  const request = uploadRequest(multipartBody(parts));
  await refusal(readSubmissionUpload(request, where.staging, { maxTotalBytes: 100 * 1024 }), 'E_UPLOAD_TOTAL_TOO_LARGE', 413);
  assertContained(where, 100 * 1024);
});

test('text fields: kept as strings, duplicates refused, too many or too long refused', async () => {
  const file: Part = { filename: 'a.c', content: 'x' };
  const cases: Array<[Part[], string, number]> = [
    [[{ field: 'student', value: 'a' }, { field: 'student', value: 'b' }, file], 'E_UPLOAD_FIELD_DUPLICATE', 400],
    [[{ field: 'note', value: 'x'.repeat(2000) }, file], 'E_UPLOAD_FIELD_TOO_LARGE', 413],
    [[...Array.from({ length: 4 }, (_, i) => ({ field: `f${i}`, value: 'v' })), file], 'E_UPLOAD_TOO_MANY_FIELDS', 413],
  ];
  for (const [parts, code, status] of cases) {
    const where = temp.make();
    await refusal(readSubmissionUpload(uploadRequest(multipartBody(parts)), where.staging, { maxFieldBytes: 1024, maxFields: 3 }), code, status);
    assertContained(where, 1);
  }
  const where = temp.make();
  const upload = await readSubmissionUpload(uploadRequest(multipartBody([{ field: '__proto__', value: 'p' }, file])), where.staging);
  assert.is(Object.getOwnPropertyDescriptor(upload.fields, '__proto__')?.value, 'p');
  assert.is(Object.getPrototypeOf(upload.fields), Object.prototype);
});

test('no file at all is refused', async () => {
  const where = temp.make();
  await refusal(readSubmissionUpload(uploadRequest(multipartBody([{ field: 'student', value: 'a' }])), where.staging), 'E_UPLOAD_NO_FILES', 422);
});

test('not multipart (415), no boundary (400), a body cut short (400)', async () => {
  const body = multipartBody([{ filename: 'a.c', content: 'int x;' }]);
  const cases: Array<[string, Buffer, string, number]> = [
    ['application/json', Buffer.from('{"files":[]}'), 'E_UPLOAD_NOT_MULTIPART', 415],
    ['application/x-www-form-urlencoded', Buffer.from('a=b'), 'E_UPLOAD_NOT_MULTIPART', 415],
    ['multipart/form-data', body, 'E_UPLOAD_MALFORMED', 400],
    [`multipart/form-data; boundary=${BOUNDARY}`, body.subarray(0, body.length - 30), 'E_UPLOAD_MALFORMED', 400],
    [`multipart/form-data; boundary=${BOUNDARY}`, Buffer.from('garbage without any boundary'), 'E_UPLOAD_MALFORMED', 400],
  ];
  for (const [contentType, bytes, code, status] of cases) {
    const where = temp.make();
    const request = uploadRequest(bytes, contentType);
    await refusal(readSubmissionUpload(request, where.staging), code, status);
    assertContained(where, 6);
    await assertReleased(request.stream);
  }
  const noType = temp.make();
  const request = { headers: {}, stream: Readable.from([body], { objectMode: false }) };
  await refusal(readSubmissionUpload(request, noType.staging), 'E_UPLOAD_NOT_MULTIPART', 415);
});

test('an oversized body is refused at the cap; a finite one is drained, an endless one destroyed', async () => {
  const limits = { maxBodyBytes: 64 * 1024 };
  const finite = temp.make();
  const parts: Part[] = [{ filename: 'a.bin', content: randomBytes(40 * 1024) }, { filename: 'b.bin', content: randomBytes(40 * 1024) }];
  const request = uploadRequest(multipartBody(parts));
  await refusal(readSubmissionUpload(request, finite.staging, limits), 'E_UPLOAD_BODY_TOO_LARGE', 413);
  await assertReleased(request.stream);
  assert.ok(request.stream.readableEnded, 'a body within twice the cap is read to its end, so the route can answer');
  assertContained(finite, 64 * 1024);

  const endless = temp.make();
  const head = Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="f"; filename="inf.bin"\r\n\r\n`);
  const stream = endlessBody(head);
  await refusal(readSubmissionUpload(uploadRequest(stream), endless.staging, limits), 'E_UPLOAD_BODY_TOO_LARGE', 413);
  await assertReleased(stream);
  assert.ok(stream.destroyed, 'an endless body is destroyed');
  // The cap, then at most the cap again discarded, plus the 64 KiB chunks in flight.
  assert.ok(stream.served <= 2 * limits.maxBodyBytes + 3 * 64 * 1024, `read ${stream.served} bytes of an endless body`);
  assertContained(endless, 64 * 1024);
});

test('a declared Content-Length over the cap is refused before the body is parsed', async () => {
  const where = temp.make();
  const request = uploadRequest(multipartBody([{ filename: 'a.c', content: 'x' }]));
  request.headers['content-length'] = String(100 * 1024 * 1024);
  await refusal(readSubmissionUpload(request, where.staging), 'E_UPLOAD_BODY_TOO_LARGE', 413);
  assert.equal(listTree(where.staging), []);
  await assertReleased(request.stream);
});

test('a client that goes away mid-body: refused, nothing hanging, no unhandled rejection', async () => {
  const where = temp.make();
  const body = multipartBody([{ filename: 'a.bin', content: randomBytes(100 * 1024) }]);
  const stream = new Readable({ read() {} });
  stream.push(body.subarray(0, 50 * 1024));
  setTimeout(() => stream.destroy(new Error('aborted')), 20);
  await refusal(readSubmissionUpload(uploadRequest(stream), where.staging), 'E_UPLOAD_ABORTED', 400);
  assertContained(where, 50 * 1024);
});

/** POSTs `body` to a real HTTP server whose route answers with the upload's outcome; resolves with status and text. */
async function postToServer(staging: string, body: Buffer, limits: { maxBodyBytes: number }): Promise<{ status: number; text: string }> {
  const server = createServer((req, res) => {
    readSubmissionUpload({ headers: req.headers, stream: req }, staging, limits).then(
      (upload) => res.end(JSON.stringify(upload.files.map((f) => f.path))),
      (error: unknown) => {
        res.statusCode = error instanceof UploadError ? error.status : 500;
        res.setHeader('connection', 'close');
        res.end(error instanceof Error ? error.message : String(error));
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    return await new Promise((resolve, reject) => {
      const req = httpRequest({ port, host: '127.0.0.1', method: 'POST', path: '/v1/submissions',
        headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` } }, (res: IncomingMessage) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => { text += chunk; });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.end(body);
    });
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

test('through a real HTTP server: a good upload answers 200, an oversized one 413 on the same request', async () => {
  const good = temp.make();
  const ok = await postToServer(good.staging, multipartBody([{ filename: 'src/main.c', content: 'int main;' }]), { maxBodyBytes: 64 * 1024 });
  assert.equal(ok, { status: 200, text: '["src/main.c"]' });
  const big = temp.make();
  const refused = await postToServer(big.staging, multipartBody([{ filename: 'a.bin', content: randomBytes(100 * 1024) }]), { maxBodyBytes: 64 * 1024 });
  assert.is(refused.status, 413);
  assert.ok(refused.text.includes('larger than 65536 bytes'), refused.text);
  assertContained(big, 64 * 1024);
});

test.run();
