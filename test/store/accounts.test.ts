// People in the store: accounts by email (kept lowercase, one each), outside identities (an LTI
// issuer and subject) that lead to an account, one role per course, sessions whose secret is kept
// only as a hash and that end with a new password, keys that expire.
import { createHash } from 'node:crypto';

import * as assert from 'uvu/assert';

import { StoreFixture, backendTests, userError } from '../support/store-fixtures.js';

const fixture = new StoreFixture();
const test = backendTests(fixture, 'store/accounts');
test.after.each(() => fixture.cleanup());

const HASH = '$scrypt$ln=17,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g';
const TIMES = { lifetimeMs: 3_600_000, idleMs: 3_600_000 };

test('an account is found by its email in any case; an email has one account; a password is kept only as a hash', async () => {
  const store = await fixture.open();
  const ada = await store.createUser({ email: 'Ada@Example.org', name: 'Ada', passwordHash: HASH });
  assert.match(ada.id, /^usr_[A-Za-z0-9_-]{16}$/);
  assert.equal([ada.email, ada.admin, ada.hasPassword], ['ada@example.org', false, true]);
  assert.equal(await store.findUserByEmail('ADA@example.org'), ada);
  assert.is((await store.findUserForSignIn('ada@example.org'))!.passwordHash, HASH);
  assert.not.ok('passwordHash' in ada, 'the hash never leaves but for a sign-in');
  await userError(store.createUser({ email: 'ada@EXAMPLE.org', passwordHash: null }), 'E_USER_EXISTS');
  await userError(store.createUser({ email: 'grace@example.org', passwordHash: 'plain text' }), 'E_BAD_INPUT');
});

test('an outside identity (issuer, subject) leads to one account', async () => {
  const store = await fixture.open();
  const ada = await store.createUser({ email: 'ada@example.org', passwordHash: null });
  await store.addIdentity('https://canvas.example.edu', '8a1f', ada.id);
  assert.equal(await store.findUserByIdentity('https://canvas.example.edu', '8a1f'), ada);
  assert.is(await store.findUserByIdentity('https://other.example.edu', '8a1f'), null, 'a subject is its issuer\'s');
});

test('a person has one role per course, replaced when given again, and none in other courses', async () => {
  const store = await fixture.open();
  await store.createCourse('cs101');
  await store.createCourse('cs202');
  const ada = await store.createUser({ email: 'ada@example.org', passwordHash: null });
  await store.setCourseRole(ada.id, 'cs101', 'ta');
  await store.setCourseRole(ada.id, 'cs101', 'instructor');
  assert.equal(await store.courseRolesOf(ada.id), { cs101: 'instructor' });
  assert.equal((await store.listCourseMembers('cs101')).map((m) => [m.user.email, m.role]), [['ada@example.org', 'instructor']]);
  assert.equal(await store.listCourseMembers('cs202'), []);
  assert.is(await store.removeCourseRole(ada.id, 'cs101'), true);
  assert.is(await store.removeCourseRole(ada.id, 'cs101'), false);
  await userError(store.setCourseRole(ada.id, 'cs999', 'ta'), 'E_NOT_FOUND');
});

test('a session is found by its secret, of which only a hash is kept; it ends when asked and with a new password', async () => {
  const dir = fixture.dataDir();
  const store = await fixture.open(dir);
  const ada = await store.createUser({ email: 'ada@example.org', passwordHash: HASH });
  const { secret, session } = await store.createSession(ada.id, TIMES);
  assert.equal((await store.authenticateSession(secret, TIMES))?.id, session.id);
  const [stored] = await fixture.rows(dir, `SELECT * FROM sessions WHERE id = '${session.id}'`);
  assert.equal(stored!.secret_sha256, createHash('sha256').update(secret).digest());
  for (const [column, value] of Object.entries(stored!)) assert.not.ok(String(value).includes(secret.slice(-20)), `column ${column} holds no part of the secret`);
  await store.endSession(secret);
  assert.is(await store.authenticateSession(secret, TIMES), null);
  const next = await store.createSession(ada.id, TIMES);
  await store.setPasswordHash(ada.id, HASH.replace('aGFz', 'bmV3'));
  assert.is(await store.authenticateSession(next.secret, TIMES), null, 'a new password ends the sessions of the old');
  assert.is(await store.authenticateSession('not-a-secret', TIMES), null);
});

test('a key past its expiry authenticates nobody; the key says its scope', async () => {
  const store = await fixture.open();
  await store.createCourse('cs101');
  const past = await store.createApiKey('cs101', 'old', { scope: 'staff', expiresAt: new Date(Date.now() - 1000).toISOString() });
  const live = await store.createApiKey('cs101', 'new', { scope: 'staff', expiresAt: new Date(Date.now() + 60_000).toISOString() });
  assert.is(await store.authenticateKey(past.secret), null);
  assert.equal(await store.authenticateKey(live.secret), { keyId: live.key.id, courseId: 'cs101', scope: 'staff' });
  await userError(store.createApiKey('cs101', 'x', { scope: 'root' as never }), 'E_BAD_INPUT');
});

test.run();
