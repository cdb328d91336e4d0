// Grader snapshots: a tar kept under its grader's digest, found again whole; the first
// one of a digest stays; a malformed one is refused before anything is stored.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as assert from 'uvu/assert';

import { StoreFixture, backendTests, sha256, userError } from '../support/store-fixtures.js';

const fixture = new StoreFixture();
const test = backendTests(fixture, 'store/grader-snapshots');
test.after.each(() => fixture.cleanup());

const manifest = { tests: ['sample', 'big'], files: [{ path: 'grader.yaml', sha256: sha256('yaml'), size: 4 }] };

test('a snapshot is kept as a blob under its digest; the same digest again keeps the first', async () => {
  const dir = fixture.dataDir();
  const store = await fixture.open(dir);
  const digest = sha256('grader v1');
  assert.is(await store.findGraderSnapshot(digest), null);
  const tar = Buffer.from('the tar of grader v1');
  const stored = await store.addGraderSnapshot({ digest, tar, manifest });
  assert.equal({ ...stored, createdAt: '' }, { digest, blobSha256: sha256(tar), size: tar.length, manifest, createdAt: '' });
  assert.equal(await store.findGraderSnapshot(digest), stored);
  const blob = await store.getBlob(stored.blobSha256);
  assert.equal(blob?.content ?? readFileSync(blob!.path!), tar);
  const again = await store.addGraderSnapshot({ digest, tar: Buffer.from('something else'), manifest: { tests: [], files: [] } });
  assert.equal(again, stored, 'the first one stays');
});

test('a malformed snapshot is refused before its tar is stored', async () => {
  const dir = fixture.dataDir();
  const store = await fixture.open(dir);
  await userError(store.addGraderSnapshot({ digest: '../../etc', tar: Buffer.from('x'), manifest }), 'E_BAD_DIGEST');
  await userError(store.addGraderSnapshot({ digest: sha256('g'), tar: Buffer.from('x'), manifest: { tests: [1], files: [] } as never }), 'E_BAD_INPUT');
  await userError(store.addGraderSnapshot({ digest: sha256('g'), tar: 'text' as never, manifest }), 'E_BAD_INPUT');
  await userError(store.findGraderSnapshot('nope'), 'E_BAD_DIGEST');
  assert.equal(readdirSync(join(dir, 'blobs')), ['tmp'], 'no blob stored');
});

test.run();
