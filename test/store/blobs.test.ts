// Content-addressed blobs: stored once under blobs/ab/cdef…, mode 0600, written
// whole, never through a link (or, small ones on PostgreSQL, in the database); digests are validated before they become paths; sizes are capped.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { lstatSync, readFileSync, readdirSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';

import * as assert from 'uvu/assert';

import { SMALL_BLOB_BYTES } from '../../services/store/blob-store.js';
import type { BlobContent } from '../../services/store/store.js';
import { StoreFixture, backendTests, sha256, userError } from '../support/store-fixtures.js';

const fixture = new StoreFixture();
const test = backendTests(fixture, 'store/blobs');
test.after.each(() => fixture.cleanup());

/** Every file under `dir`, relative, without following links. */
function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]));
}

/** A stored blob's bytes, kept in the database or as a file. */
function bytesOf(blob: BlobContent | null): Buffer {
  return blob?.content ?? readFileSync(blob!.path!);
}

test('a buffer, a file and a stream of the same content give one blob, at blobs/ab/cdef…, mode 0600 in a 0700 folder, or (small, PostgreSQL) in the database', async () => {
  for (const size of [200 * 1024, 600 * 1024]) { // under and over what is stored whole; several read chunks
    const dir = fixture.dataDir();
    const store = await fixture.open(dir);
    const content = randomBytes(size);
    const digest = sha256(content);
    const first = await store.putBlob(content);
    assert.equal(first, { sha256: digest, size: content.length, created: true });
    const source = join(fixture.dataDir(), 'upload.bin');
    writeFileSync(source, content);
    assert.equal(await store.putBlob(source), { sha256: digest, size: content.length, created: false });
    assert.equal(await store.putBlob(Readable.from([content.subarray(0, 1000), content.subarray(1000)])), { sha256: digest, size: content.length, created: false });
    if (fixture.backend === 'postgres' && size <= SMALL_BLOB_BYTES) {
      assert.equal(await store.getBlob(digest), { size: content.length, content });
      assert.equal(filesUnder(join(dir, 'blobs')), [], 'no file made');
    } else {
      const path = join(dir, 'blobs', digest.slice(0, 2), digest.slice(2));
      assert.equal(await store.getBlob(digest), { path, size: content.length });
      assert.equal(readFileSync(path), content);
      assert.is(lstatSync(path).mode & 0o777, 0o600, 'the service account\'s alone');
      assert.is(lstatSync(join(dir, 'blobs', digest.slice(0, 2))).mode & 0o777, 0o700);
      assert.equal(filesUnder(join(dir, 'blobs')), [`${digest.slice(0, 2)}/${digest.slice(2)}`], 'one file, no temp file left');
    }
    // Each way of storing it on its own, into a fresh store.
    for (const again of [content, source]) {
      const fresh = await fixture.open(fixture.dataDir());
      assert.equal(await fresh.putBlob(again, digest), { sha256: digest, size, created: true });
      assert.equal(bytesOf(await fresh.getBlob(digest)), content);
    }
  }
});

test('the empty file is a blob like any other', async () => {
  const store = await fixture.open();
  const blob = await store.putBlob(Buffer.alloc(0));
  assert.equal(blob, { sha256: sha256(''), size: 0, created: true });
  assert.equal((await store.getBlob(blob.sha256))?.size, 0);
});

test('a digest that is not 64 lowercase hex digits is refused before it becomes a path', async () => {
  const store = await fixture.open();
  const valid = sha256('x');
  for (const bad of ['../../etc/passwd', `../${valid.slice(3)}`, valid.toUpperCase(), valid.slice(1), `${valid}0`, `${valid.slice(0, 63)}/`, '', `ab/${valid.slice(2)}`]) {
    await userError(store.getBlob(bad), 'E_BAD_DIGEST');
  }
  assert.is(await store.getBlob(valid), null, 'a well-formed digest that is not stored is simply absent');
});

test('a blob over the size cap is refused from a buffer, a file and a stream, and nothing is left behind', async () => {
  const dir = fixture.dataDir();
  const store = await fixture.open(dir, { maxBlobBytes: 1000 });
  const big = randomBytes(1001);
  await userError(store.putBlob(big), 'E_TOO_LARGE');
  const source = join(fixture.dataDir(), 'big.bin');
  writeFileSync(source, big);
  await userError(store.putBlob(source), 'E_TOO_LARGE');
  // a stream has no size up front: refused as its bytes pass the cap
  await userError(store.putBlob(Readable.from([big.subarray(0, 600), big.subarray(600)])), 'E_TOO_LARGE');
  assert.equal(filesUnder(join(dir, 'blobs')), []);
  assert.equal((await store.putBlob(big.subarray(0, 1000))).size, 1000, 'exactly the cap is fine');
});

test('a source that is a link, a folder or a FIFO is refused; the link target is not read', async () => {
  const store = await fixture.open();
  const work = fixture.dataDir();
  const secret = join(work, 'secret.txt');
  writeFileSync(secret, 'not for students');
  symlinkSync(secret, join(work, 'link'));
  const error = await userError(store.putBlob(join(work, 'link')), 'E_BAD_BLOB_SOURCE');
  assert.match(error.message, /symbolic link/);
  await userError(store.putBlob(work), 'E_BAD_BLOB_SOURCE');
  execFileSync('mkfifo', [join(work, 'fifo')]);
  await userError(store.putBlob(join(work, 'fifo')), 'E_BAD_BLOB_SOURCE'); // and does not hang on open
  await userError(store.putBlob(join(work, 'missing')), 'E_BAD_BLOB_SOURCE');
  assert.is(await store.getBlob(sha256('not for students')), null);
});

test('a link planted at a blob\'s name is replaced, never written through', async () => {
  const dir = fixture.dataDir();
  const store = await fixture.open(dir);
  const content = Buffer.alloc(SMALL_BLOB_BYTES + 1, 'int main(void){return 0;}\n'); // a file on every backend
  const digest = sha256(content);
  const victim = join(fixture.dataDir(), 'victim');
  writeFileSync(victim, 'untouched');
  execFileSync('mkdir', [join(dir, 'blobs', digest.slice(0, 2))]);
  symlinkSync(victim, join(dir, 'blobs', digest.slice(0, 2), digest.slice(2)));
  assert.ok(readlinkSync(join(dir, 'blobs', digest.slice(0, 2), digest.slice(2))));
  assert.is((await store.putBlob(content)).created, true);
  assert.is(readFileSync(victim, 'utf8'), 'untouched');
  const path = (await store.getBlob(digest))!.path!;
  assert.ok(lstatSync(path).isFile());
  assert.equal(readFileSync(path), content);
});

test('with an expected digest, other content is refused and not stored', async () => {
  const store = await fixture.open();
  const content = Buffer.from('evidence archive');
  const error = await userError(store.putBlob(content, sha256('something else')), 'E_BLOB_DIGEST_MISMATCH');
  assert.match(error.message, new RegExp(sha256(content)));
  assert.is(await store.getBlob(sha256(content)), null);
  await userError(store.putBlob(content, '../../etc/passwd'), 'E_BAD_DIGEST');
  assert.equal((await store.putBlob(content, sha256(content))).created, true);
});

test('two stores on one data dir storing the same content at once end with one intact blob', async () => {
  const dir = fixture.dataDir();
  const [a, b] = [await fixture.open(dir), await fixture.open(dir)];
  const content = randomBytes(512 * 1024);
  const results = await Promise.all([a.putBlob(content), b.putBlob(content), a.putBlob(content), b.putBlob(content)]);
  assert.ok(results.every((r) => r.sha256 === sha256(content)));
  assert.ok(results.some((r) => r.created));
  assert.equal(bytesOf(await a.getBlob(sha256(content))), content);
  assert.equal(filesUnder(join(dir, 'blobs')).length, 1);
});

test.run();
