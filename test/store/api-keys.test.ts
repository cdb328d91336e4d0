// Course API keys: the secret is shown once and stored only as a hash, a key
// authenticates as its own course and no other, a revoked or wrong key is refused.
import { createHash } from 'node:crypto';

import * as assert from 'uvu/assert';

import { StoreFixture, backendTests, userError } from '../support/store-fixtures.js';

const fixture = new StoreFixture();
const test = backendTests(fixture, 'store/api-keys');
test.after.each(() => fixture.cleanup());

test('a created key authenticates as its course; the secret has the documented shape and is shown once', async () => {
  const store = await fixture.open();
  await store.createCourse('cs101');
  const { key, secret } = await store.createApiKey('cs101', 'LMS connector');
  assert.match(secret, /^gbx_cs101_[A-Za-z0-9_-]{43}$/);
  assert.ok(secret.startsWith(key.prefix));
  assert.is(key.prefix.length, 'gbx_cs101_'.length + 8);
  assert.equal(await store.authenticateKey(secret), { keyId: key.id, courseId: 'cs101', scope: 'portal' });
  assert.equal((await store.listApiKeys('cs101')).map((k) => [k.id, k.label, k.prefix, k.revokedAt]), [[key.id, 'LMS connector', key.prefix, null]]);
  const other = await store.createApiKey('cs101');
  assert.is.not(other.secret, secret);
  assert.is.not(other.key.id, key.id);
});

test('only the sha256 of the secret is stored: the secret is in no column and not on disk', async () => {
  const dir = fixture.dataDir();
  const store = await fixture.open(dir);
  await store.createCourse('cs101');
  const { key, secret } = await store.createApiKey('cs101');
  const row = (await fixture.rows(dir, `SELECT * FROM api_keys WHERE id = '${key.id}'`))[0]!;
  assert.equal(row.secret_sha256, createHash('sha256').update(secret).digest());
  for (const [column, value] of Object.entries(row)) assert.not.ok(String(value).includes(secret.slice(-20)), `column ${column} holds no part of the secret's hidden end`);
  await store.close();
  assert.ok((await fixture.filesHolding(dir, key.prefix)).length > 0, 'the prefix is on disk, so the search would find the secret');
  assert.equal(await fixture.filesHolding(dir, secret.slice(-20)), [], 'the secret is not written to disk');
});

test('wrong, malformed and altered secrets authenticate as nobody', async () => {
  const store = await fixture.open();
  await store.createCourse('cs101');
  const { secret } = await store.createApiKey('cs101');
  const last = secret.at(-1) === 'A' ? 'B' : 'A';
  for (const wrong of [
    `${secret.slice(0, -1)}${last}`, // one character off, same prefix: found by prefix, refused by hash
    secret.slice(0, -1), secret + 'x', '', 'Bearer ' + secret, secret.toUpperCase(), 'gbx_cs101_', 'gbx__' + 'a'.repeat(43),
  ]) {
    assert.is(await store.authenticateKey(wrong), null, `refused: ${wrong}`);
  }
  assert.is(await store.authenticateKey(undefined as unknown as string), null);
});

test('a key of course A never authenticates as course B, even with B written into it', async () => {
  const store = await fixture.open();
  await store.createCourse('course-a');
  await store.createCourse('course-b');
  const a = await store.createApiKey('course-a');
  const b = await store.createApiKey('course-b');
  assert.is((await store.authenticateKey(a.secret))?.courseId, 'course-a');
  assert.is((await store.authenticateKey(b.secret))?.courseId, 'course-b');
  const forged = a.secret.replace('gbx_course-a_', 'gbx_course-b_');
  assert.is(await store.authenticateKey(forged), null);
  assert.equal((await store.listApiKeys('course-b')).map((k) => k.id), [b.key.id]);
});

test('a revoked key is refused at once; other keys of the course still work; revoking twice is fine', async () => {
  const store = await fixture.open();
  await store.createCourse('cs101');
  const old = await store.createApiKey('cs101', 'old');
  const kept = await store.createApiKey('cs101', 'kept');
  await store.revokeKey(old.key.id);
  assert.is(await store.authenticateKey(old.secret), null);
  assert.is((await store.authenticateKey(kept.secret))?.keyId, kept.key.id);
  const listed = await store.listApiKeys('cs101');
  assert.ok(listed.find((k) => k.id === old.key.id)?.revokedAt);
  const revokedAt = listed.find((k) => k.id === old.key.id)?.revokedAt;
  await store.revokeKey(old.key.id);
  assert.is((await store.listApiKeys('cs101')).find((k) => k.id === old.key.id)?.revokedAt, revokedAt, 'the first revocation time stays');
  await userError(store.revokeKey('key_doesnotexist'), 'E_NOT_FOUND');
});

test('keys for an unknown course, and bad course ids and labels, are refused', async () => {
  const store = await fixture.open();
  await userError(store.createApiKey('nope'), 'E_NOT_FOUND');
  for (const bad of ['CS101', 'cs_101', '-cs', '', 'a'.repeat(41), '../x']) await userError(store.createCourse(bad), 'E_BAD_INPUT');
  await store.createCourse('cs101');
  await userError(store.createApiKey('cs101', 'two\nlines'), 'E_BAD_INPUT');
  await userError(store.listApiKeys('nope'), 'E_NOT_FOUND');
});

test('createCourse is idempotent: an existing course is returned unchanged', async () => {
  const store = await fixture.open();
  const first = await store.createCourse('cs101', 'Intro to CS');
  assert.equal(await store.createCourse('cs101', 'Another name'), first);
  assert.equal(await store.createCourse('cs102'), { id: 'cs102', name: 'cs102', createdAt: (await store.getCourse('cs102'))!.createdAt, archivedAt: null });
  assert.equal((await store.listCourses()).map((c) => c.id), ['cs101', 'cs102']);
  assert.is(await store.getCourse('cs999'), null);
});

test.run();
