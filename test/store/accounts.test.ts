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

test('an LTI identity\'s account is made on its first launch (no password; the email only if no account has it) and found after', async () => {
  const store = await fixture.open();
  const made = await store.findOrCreateLtiUser('https://lms.example.edu', 'sub-1', { name: 'Ada', email: 'Ada@Example.org' });
  assert.equal([made.name, made.email, made.hasPassword, made.admin], ['Ada', 'ada@example.org', false, false]);
  assert.equal(await store.findOrCreateLtiUser('https://lms.example.edu', 'sub-1', { name: 'Other', email: null }), made);
  assert.equal(await store.findUserByIdentity('https://lms.example.edu', 'sub-1'), made);
  const other = await store.findOrCreateLtiUser('https://lms.example.edu', 'sub-2', { name: null, email: 'ada@example.org' });
  assert.is.not(other.id, made.id);
  assert.is(other.email, null, 'an email some account has already is not taken');
  assert.is((await store.findOrCreateLtiUser('https://lms.example.edu', 'sub-3', { name: null, email: 'not an email' })).email, null);
});

test('a launch\'s course role: made when none is held, follows later launches while only launches gave it, never lowers a role given otherwise', async () => {
  const store = await fixture.open();
  await store.createCourse('cs101');
  const lti = await store.findOrCreateLtiUser('https://lms.example.edu', 'sub-1', { name: null, email: null });
  assert.is(await store.grantLtiCourseRole(lti.id, 'cs101', 'instructor'), 'instructor');
  assert.is(await store.grantLtiCourseRole(lti.id, 'cs101', 'ta'), 'ta', 'the LMS made them a TA');
  assert.is(await store.grantLtiCourseRole(lti.id, 'cs101', 'instructor'), 'instructor');
  const given = await store.createUser({ email: 'prof@example.org', passwordHash: null });
  await store.setCourseRole(given.id, 'cs101', 'instructor');
  assert.is(await store.grantLtiCourseRole(given.id, 'cs101', 'ta'), 'instructor', 'a stronger role given by staff is kept');
  await store.setCourseRole(lti.id, 'cs101', 'instructor');
  assert.is(await store.grantLtiCourseRole(lti.id, 'cs101', 'ta'), 'instructor', 'given by staff now: a launch no longer lowers it');
  const ta = await store.createUser({ email: 'ta@example.org', passwordHash: null });
  await store.setCourseRole(ta.id, 'cs101', 'ta');
  assert.is(await store.grantLtiCourseRole(ta.id, 'cs101', 'instructor'), 'instructor', 'a stronger launch role is given');
  assert.equal(await store.courseRolesOf(ta.id), { cs101: 'instructor' });
  await userError(store.grantLtiCourseRole(lti.id, 'cs999', 'ta'), 'E_NOT_FOUND');
});

test('a handoff is redeemed once, only while fresh, only by its token, of which only a hash is kept', async () => {
  const dir = fixture.dataDir();
  const store = await fixture.open(dir);
  await store.createCourse('cs101');
  const user = await store.findOrCreateLtiUser('https://lms.example.edu', 'sub-1', { name: null, email: null });
  const handoff = { userId: user.id, courseId: 'cs101', assignmentId: null, expiresAt: new Date(Date.now() + 60_000).toISOString() };
  const token = await store.createLtiHandoff(handoff);
  const [stored] = await fixture.rows(dir, 'SELECT * FROM lti_handoffs');
  for (const [column, value] of Object.entries(stored!)) assert.not.ok(String(value).includes(token.slice(-20)), `column ${column} holds no part of the token`);
  assert.is(await store.redeemLtiHandoff(`${token}x`), null);
  const redeemed = await store.redeemLtiHandoff(token);
  assert.equal([redeemed?.userId, redeemed?.courseId, redeemed?.assignmentId], [user.id, 'cs101', null]);
  assert.is(Date.parse(redeemed!.expiresAt), Date.parse(handoff.expiresAt));
  assert.is(await store.redeemLtiHandoff(token), null, 'used once');
  const expired = await store.createLtiHandoff({ ...handoff, expiresAt: new Date(Date.now() - 1000).toISOString() });
  assert.is(await store.redeemLtiHandoff(expired), null);
  assert.is(await store.redeemLtiHandoff('ltl_not-a-handoff'), null);
});

test.run();
