// Submission uploads as one archive: real zip, tar and tar.gz files unpacked safely, and every refusal.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, linkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';

import tar from 'tar-stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { readSubmissionUpload } from '../../services/api/upload/submission-upload.js';
import { unpackArchive, type ArchiveKind } from '../../services/intake/archive-unpacker.js';
import type { StagedFile } from '../../services/intake/staged-file-writer.js';
import type { UploadLimits } from '../../services/intake/upload-limits.js';
import {
  TempFolders, assertContained, buildZip, bytesUnder, hasCommand, listTree, multipartBody, refusal, sh, uploadRequest, type ZipEntrySpec,
} from './upload-fixtures.js';

const temp = new TempFolders();
test.after.each(() => temp.removeAll());

const HAVE_ZIP = hasCommand('zip');
const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

type Where = ReturnType<TempFolders['make']>;

/** A folder `work/src` holding a small project, as a student would have it. */
function project(where: Where): string {
  const src = join(where.work, 'src');
  mkdirSync(join(src, 'lib', 'deep'), { recursive: true });
  writeFileSync(join(src, 'main.c'), '#include "lib/list.h"\nint main(void){return 0;}\n');
  writeFileSync(join(src, 'lib', 'list.h'), '#pragma once\n');
  writeFileSync(join(src, 'lib', 'deep', 'data.txt'), 'x'.repeat(5000));
  return src;
}

const PROJECT_FILES = [['lib/deep/data.txt', 5000], ['lib/list.h', 13], ['main.c', 48]];

/** A zip of `dir`'s contents made by the zip command (`-y` keeps symlinks as links), or by our writer when zip is missing. */
function zipOf(where: Where, dir: string, extra: string[] = []): Buffer {
  const out = join(where.work, 'out.zip');
  if (!HAVE_ZIP) return buildZip(listTree(dir).filter((e) => e.type === 'file').map((e) => ({ name: e.path, data: readFileSync(join(dir, e.path)) })));
  sh(dir, ['zip', '-qry', ...extra, out, '.']);
  return readFileSync(out);
}

/** A tar(.gz) of `dir`'s contents made by GNU tar, entries named `./…` as `tar -C dir .` writes them. */
function tarOf(where: Where, dir: string, gzip: boolean): Buffer {
  const out = join(where.work, gzip ? 'out.tgz' : 'out.tar');
  sh(where.work, ['tar', gzip ? '-czf' : '-cf', out, '-C', dir, '.']);
  return readFileSync(out);
}

/** A tar made entry by entry with tar-stream's packer, for entries GNU tar will not write. */
async function craftedTar(entries: Array<{ name: string; type?: tar.Header['type']; data?: Buffer | string; linkname?: string }>): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (chunk) => chunks.push(chunk as Buffer));
  const ended = new Promise<void>((resolve) => pack.on('end', () => resolve()));
  for (const { data, ...header } of entries) pack.entry({ mode: 0o644, ...header }, data === undefined ? '' : data);
  pack.finalize();
  await ended;
  return Buffer.concat(chunks);
}

const ext: Record<ArchiveKind, string> = { zip: 'sub.zip', tar: 'sub.tar', 'tar.gz': 'sub.tar.gz' };

/** Uploads `archive` as the one file of a multipart body. */
function uploadArchive(where: Where, kind: ArchiveKind, archive: Buffer, limits?: Partial<UploadLimits>): ReturnType<typeof readSubmissionUpload> {
  return readSubmissionUpload(uploadRequest(multipartBody([{ field: 'student', value: 'ada' }, { filename: ext[kind], content: archive }])), where.staging, limits);
}

/** Unpacked entries are always written to the staging folder (only plain files may stay in memory). */
function assertProject(files: StagedFile[]): void {
  assert.equal(files.map((f) => [f.path, f.size]).sort(), PROJECT_FILES);
  for (const file of files) {
    assert.ok(file.diskPath !== undefined, `${file.path} is on disk`);
    assert.is(sha256(readFileSync(file.diskPath)), file.sha256, file.path);
  }
}

test('a good zip, tar.gz and tar are unpacked into stagingDir/files; the archive is not kept', async () => {
  for (const kind of ['zip', 'tar.gz', 'tar'] as const) {
    const where = temp.make();
    const src = project(where);
    const archive = kind === 'zip' ? zipOf(where, src) : tarOf(where, src, kind === 'tar.gz');
    const upload = await uploadArchive(where, kind, archive);
    assert.equal(upload.fields, { student: 'ada' });
    assertProject(upload.files);
    for (const file of upload.files) assert.ok(file.diskPath?.startsWith(join(where.staging, 'files') + '/'), file.diskPath);
    assert.equal(readdirSync(where.staging), ['files'], `${kind}: only the unpacked files stay`);
  }
  // An archive is spooled to disk: a staging folder that does not exist yet is made for it.
  const where = temp.make();
  const fresh = join(where.staging, 'fresh');
  const upload = await readSubmissionUpload(uploadRequest(multipartBody([{ filename: 'sub.zip', content: zipOf(where, project(where)) }])), fresh);
  assertProject(upload.files);
  assert.equal(readdirSync(fresh), ['files']);
});

test('.tgz counts as tar.gz; unpackArchive takes a path or a stream (zip streams are spooled)', async () => {
  const where = temp.make();
  const src = project(where);
  const tgz = tarOf(where, src, true);
  const upload = await readSubmissionUpload(uploadRequest(multipartBody([{ filename: 'Sub.TGZ', content: tgz }])), where.staging);
  assertProject(upload.files);
  const cases: Array<[ArchiveKind, Buffer]> = [['tar', tarOf(where, src, false)], ['tar.gz', tgz], ['zip', zipOf(where, src)]];
  for (const [kind, bytes] of cases) {
    const path = join(where.work, `again.${kind}`);
    writeFileSync(path, bytes);
    assertProject(await unpackArchive(path, kind, join(where.staging, `${kind}-from-path`)));
    assertProject(await unpackArchive(createReadStream(path), kind, join(where.staging, `${kind}-from-stream`)));
  }
});

test('entries with ".." or absolute names are refused, in zip and tar, and nothing lands outside', async () => {
  const evilNames = ['../../evil', 'ok/../../../evil', '/evil', '..\\..\\evil', 'C:\\evil'];
  for (const name of evilNames) {
    const code = name.includes('..') ? 'E_UPLOAD_NAME_TRAVERSAL' : 'E_UPLOAD_NAME_ABSOLUTE';
    const zipWhere = temp.make();
    await refusal(uploadArchive(zipWhere, 'zip', buildZip([{ name: 'fine.c', data: 'x' }, { name, data: 'pwned' }])), code, 422);
    assertContained(zipWhere, 1);
    const tarWhere = temp.make();
    const crafted = await craftedTar([{ name: 'fine.c', data: 'x' }, { name, data: 'pwned' }]);
    await refusal(uploadArchive(tarWhere, 'tar.gz', gzipSync(crafted)), code, 422);
    assertContained(tarWhere, 1);
  }
});

test('symbolic links are refused: GNU tar, zip -y, and a link followed by a file written "through" it', async () => {
  const where = temp.make();
  const src = project(where);
  symlinkSync('/etc/passwd', join(src, 'passwd-link'));
  for (const [kind, archive] of [['tar.gz', tarOf(where, src, true)], ['zip', zipOf(where, src)]] as const) {
    const into = temp.make();
    const error = await refusal(uploadArchive(into, kind, archive), 'E_UPLOAD_ENTRY_TYPE', 422);
    assert.ok(error.message.includes('symbolic link') && error.message.includes('passwd-link'), error.message);
    assertContained(into, 10_000);
  }
  const through = temp.make();
  const crafted = await craftedTar([{ name: 'up', type: 'symlink', linkname: '..' }, { name: 'up/evil', data: 'pwned' }]);
  await refusal(uploadArchive(through, 'tar', crafted), 'E_UPLOAD_ENTRY_TYPE', 422);
  assertContained(through, 0);
  const zipThrough = temp.make();
  await refusal(uploadArchive(zipThrough, 'zip', buildZip([{ name: 'up', data: '..', mode: 0o120777 }, { name: 'up/evil', data: 'pwned' }])), 'E_UPLOAD_ENTRY_TYPE', 422);
  assertContained(zipThrough, 0);
});

test('hard links, FIFOs and devices in a tar are refused', async () => {
  const where = temp.make();
  const src = project(where);
  linkSync(join(src, 'main.c'), join(src, 'z-hardlink.c'));
  const hard = temp.make();
  const hardError = await refusal(uploadArchive(hard, 'tar', tarOf(where, src, false)), 'E_UPLOAD_ENTRY_TYPE', 422);
  assert.ok(hardError.message.includes('hard link'), hardError.message);
  assertContained(hard, 10_000);

  const fifoSrc = join(where.work, 'fifo-src');
  mkdirSync(fifoSrc);
  writeFileSync(join(fifoSrc, 'a.c'), 'x');
  sh(fifoSrc, ['mkfifo', 'pipe']);
  const fifo = temp.make();
  const fifoError = await refusal(uploadArchive(fifo, 'tar.gz', tarOf(where, fifoSrc, true)), 'E_UPLOAD_ENTRY_TYPE', 422);
  assert.ok(fifoError.message.includes('FIFO'), fifoError.message);
  assertContained(fifo, 1);

  for (const type of ['character-device', 'block-device'] as const) {
    const dev = temp.make();
    const crafted = await craftedTar([{ name: 'null', type, data: '' }]);
    const error = await refusal(uploadArchive(dev, 'tar', crafted), 'E_UPLOAD_ENTRY_TYPE', 422);
    assert.ok(error.message.includes(type.replace('-', ' ')), error.message);
    assert.equal(listTree(dev.staging), []);
  }
});

test('zip entries with a special Unix mode (FIFO, device, socket) are refused', async () => {
  for (const mode of [0o010644, 0o020644, 0o060644, 0o140644]) {
    const where = temp.make();
    await refusal(uploadArchive(where, 'zip', buildZip([{ name: 'thing', data: '', mode }])), 'E_UPLOAD_ENTRY_TYPE', 422);
    assert.equal(listTree(where.staging), []);
  }
});

test('duplicate names in an archive are refused: exact, after normalization, case-only, file vs folder', async () => {
  const pairs: Array<[string, string]> = [['a.c', 'a.c'], ['a.c', './a.c'], ['Main.java', 'main.java'], ['lib', 'lib/x.c'], ['src/a.c', 'src//a.c']];
  for (const [first, second] of pairs) {
    const zip = temp.make();
    await refusal(uploadArchive(zip, 'zip', buildZip([{ name: first, data: '1' }, { name: second, data: '2' }])), 'E_UPLOAD_DUPLICATE', 422);
    assertContained(zip, 1);
    const tgz = temp.make();
    await refusal(uploadArchive(tgz, 'tar.gz', gzipSync(await craftedTar([{ name: first, data: '1' }, { name: second, data: '2' }]))), 'E_UPLOAD_DUPLICATE', 422);
    assertContained(tgz, 1);
  }
});

test('too many entries (folders count too) are refused at the first one over the cap', async () => {
  const entries: ZipEntrySpec[] = Array.from({ length: 6 }, (_, i) => ({ name: `f${i}.txt`, data: 'x' }));
  const where = temp.make();
  await refusal(uploadArchive(where, 'zip', buildZip(entries), { maxEntries: 5 }), 'E_UPLOAD_TOO_MANY_FILES', 413);
  assertContained(where, 5);
  const folders = temp.make();
  const crafted = await craftedTar([...Array.from({ length: 5 }, (_, i) => ({ name: `d${i}/`, type: 'directory' as const })), { name: 'a.c', data: 'x' }]);
  await refusal(uploadArchive(folders, 'tar', crafted, { maxEntries: 5 }), 'E_UPLOAD_TOO_MANY_FILES', 413);
  assertContained(folders, 0);
});

test('an entry over the per-file cap is refused with no more than the cap on disk', async () => {
  const where = temp.make();
  const src = join(where.work, 'big');
  mkdirSync(src);
  writeFileSync(join(src, 'big.bin'), randomBytes(300 * 1024));
  const limits = { maxFileBytes: 64 * 1024 };
  for (const [kind, archive] of [['zip', zipOf(where, src)], ['tar.gz', tarOf(where, src, true)]] as const) {
    const into = temp.make();
    await refusal(uploadArchive(into, kind, archive, limits), 'E_UPLOAD_FILE_TOO_LARGE', 413);
    assertContained(into, 64 * 1024);
  }
});

test('entries adding up to more than the total cap are refused with no more than the cap on disk', async () => {
  const crafted = await craftedTar(Array.from({ length: 4 }, (_, i) => ({ name: `p${i}.bin`, data: randomBytes(40 * 1024) })));
  const where = temp.make();
  await refusal(uploadArchive(where, 'tar.gz', gzipSync(crafted), { maxTotalBytes: 100 * 1024 }), 'E_UPLOAD_TOTAL_TOO_LARGE', 413);
  assertContained(where, 100 * 1024);
});

test('a real zip bomb (50 MiB of zeros in ~50 KiB) is refused by ratio, writing at most 100x the archive', async () => {
  const where = temp.make();
  const src = join(where.work, 'bomb');
  mkdirSync(src);
  writeFileSync(join(src, 'zeros.bin'), Buffer.alloc(50 * 1024 * 1024));
  const bomb = zipOf(where, src);
  assert.ok(bomb.length < 100 * 1024, `the bomb is ${bomb.length} bytes`);
  const error = await refusal(uploadArchive(where, 'zip', bomb), 'E_UPLOAD_ARCHIVE_RATIO', 413);
  assert.ok(error.message.includes('zeros.bin'), error.message);
  assertContained(where, 100 * bomb.length);
  assert.not.ok(existsSync(join(where.staging, 'archive')), 'the archive is removed even on refusal');
});

test('a tar.gz bomb read from a stream is refused by ratio against the bytes read so far', async () => {
  const where = temp.make();
  const bomb = gzipSync(await craftedTar([{ name: 'zeros.bin', data: Buffer.alloc(50 * 1024 * 1024) }]), { level: 9 });
  const dest = join(where.staging, 'out');
  await refusal(unpackArchive(Readable.from([bomb], { objectMode: false }), 'tar.gz', dest), 'E_UPLOAD_ARCHIVE_RATIO', 413);
  assertContained(where, 100 * bomb.length);
});

test('a zip whose headers lie about sizes is refused, never writing past the claimed size', async () => {
  const data = Buffer.alloc(100 * 1024, 0x41);
  const small = temp.make();
  await refusal(uploadArchive(small, 'zip', buildZip([{ name: 'liar.txt', data, declaredSize: 10 }])), 'E_UPLOAD_ARCHIVE_CORRUPT', 422);
  assertContained(small, 10);
  const big = temp.make();
  await refusal(uploadArchive(big, 'zip', buildZip([{ name: 'liar.txt', data, declaredSize: 200 * 1024 }])), 'E_UPLOAD_ARCHIVE_CORRUPT', 422);
  assertContained(big, data.length);
  const stored = temp.make();
  await refusal(uploadArchive(stored, 'zip', buildZip([{ name: 'liar.txt', data, method: 0, declaredSize: 10 }])), 'E_UPLOAD_ARCHIVE_CORRUPT', 422);
  assertContained(stored, 10);
});

test('truncated and garbage archives are refused as corrupt; an archive with no file as empty', async () => {
  const where = temp.make();
  const src = project(where);
  const zip = zipOf(where, src);
  const tgz = tarOf(where, src, true);
  const tarBytes = tarOf(where, src, false);
  const cases: Array<[ArchiveKind, Buffer]> = [
    ['zip', zip.subarray(0, zip.length >> 1)],
    ['tar.gz', tgz.subarray(0, tgz.length >> 1)],
    ['tar', tarBytes.subarray(0, 1000)],
    ['zip', randomBytes(4096)],
    ['tar.gz', randomBytes(4096)],
    ['tar', randomBytes(4096)],
  ];
  for (const [kind, bytes] of cases) {
    const into = temp.make();
    const error = await refusal(uploadArchive(into, kind, bytes), 'E_UPLOAD_ARCHIVE_CORRUPT', 422);
    assert.ok(error.message.includes(`readable ${kind} archive`), error.message);
    assertContained(into, 10_000);
  }
  const empty = temp.make();
  await refusal(uploadArchive(empty, 'zip', buildZip([{ name: 'only-a-folder/', data: '' }])), 'E_UPLOAD_NO_FILES', 422);
});

test('an encrypted zip, or one with an unknown compression method, is refused as unsupported', async () => {
  const where = temp.make();
  const src = project(where);
  const encrypted = HAVE_ZIP ? zipOf(where, src, ['-P', 'secret']) : buildZip([{ name: 'a.c', data: 'x', flags: 0x1 }]);
  await refusal(uploadArchive(where, 'zip', encrypted), 'E_UPLOAD_ARCHIVE_UNSUPPORTED', 422);
  assertContained(where, 0);
  const bzip = temp.make();
  await refusal(uploadArchive(bzip, 'zip', buildZip([{ name: 'a.c', data: 'x', method: 12 }])), 'E_UPLOAD_ARCHIVE_UNSUPPORTED', 422);
  assertContained(where, 0);
});

test('an archive mixed with plain files, or two archives, is refused', async () => {
  const zip = buildZip([{ name: 'a.c', data: 'x' }]);
  const orders = [
    [{ filename: 'main.c', content: 'x' }, { filename: 'sub.zip', content: zip }],
    [{ filename: 'sub.zip', content: zip }, { filename: 'main.c', content: 'x' }],
    [{ filename: 'sub.zip', content: zip }, { filename: 'other.tar.gz', content: gzipSync(Buffer.alloc(1024)) }],
  ];
  for (const parts of orders) {
    const where = temp.make();
    const request = uploadRequest(multipartBody(parts));
    const error = await refusal(readSubmissionUpload(request, where.staging), 'E_UPLOAD_MIXED', 422);
    assert.ok(error.message.includes('exactly one archive'), error.message);
    assertContained(where, 1 + zip.length);
  }
});

test('bytes under the staging folder stay within the total cap for a good upload too', async () => {
  const where = temp.make();
  const upload = await uploadArchive(where, 'tar', tarOf(where, project(where), false));
  assert.is(bytesUnder(where.staging), upload.files.reduce((sum, f) => sum + f.size, 0));
});

test.run();
