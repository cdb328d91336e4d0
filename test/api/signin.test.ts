// Signing in to the dashboard: the form and its CSRF token, the session cookie's attributes, a
// wrong password answered like an unknown email, the limit of failed sign-ins per email, signing
// out, and a session that has ended or expired signs nobody in.
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { hashPassword } from '../../services/access/password-hash.js';
import { SESSION_COOKIE, SIGNIN_CSRF_COOKIE } from '../../services/api/session-cookie.js';
import type { PrivateRedis } from '../../services/queue/private-redis.js';
import { startTestApi, type TestApi } from '../support/api-fixtures.js';
import { removeTempDirs } from '../support/helpers.js';
import { privateRedis } from '../support/queue-fixtures.js';

const PASSWORD = 'correct horse battery staple';
const FAILURES = 3;

let redis: PrivateRedis;
let api: TestApi;

test.before(async () => {
  redis = await privateRedis();
  api = await startTestApi(redis, { signInFailures: FAILURES });
  const hash = await hashPassword(PASSWORD);
  for (const email of ['ada@example.org', 'limited@example.org']) await api.store.createUser({ email, passwordHash: hash });
});
test.after(async () => {
  await api?.service.close();
  await redis?.stop();
  removeTempDirs();
});

/** The form's token, and its cookie as the browser would send it back. */
async function signInForm(): Promise<{ csrf: string; cookie: string; setCookie: string }> {
  const response = await fetch(`${api.url}/signin`);
  assert.is(response.status, 200);
  const html = await response.text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
  const setCookie = response.headers.get('set-cookie') ?? '';
  assert.ok(csrf, 'the form carries a token');
  return { csrf: csrf!, cookie: `${SIGNIN_CSRF_COOKIE}=${csrf}`, setCookie };
}

async function signIn(email: string, password: string, form?: { csrf: string; cookie: string }) {
  const { csrf, cookie } = form ?? await signInForm();
  return fetch(`${api.url}/signin`, {
    method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams({ email, password, csrf }).toString(),
  });
}

function sessionCookie(response: Response): string {
  const header = response.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  assert.ok(header, 'a session cookie is set');
  return header!;
}

test('a signed-out browser at / goes to the form; the form\'s token cookie is HttpOnly, Secure, SameSite', async () => {
  const home = await fetch(`${api.url}/`, { redirect: 'manual' });
  assert.is(home.status, 303);
  assert.is(home.headers.get('location'), '/signin');
  const { setCookie } = await signInForm();
  assert.match(setCookie, `${SIGNIN_CSRF_COOKIE}=`);
  for (const attribute of ['HttpOnly', 'Secure', 'SameSite=Lax', 'Path=/']) assert.match(setCookie, attribute);
});

test('the right password makes a session: an HttpOnly, Secure, SameSite cookie that /v1/me and / accept; sign-out ends it', async () => {
  const response = await signIn('Ada@Example.org', PASSWORD);
  assert.is(response.status, 303);
  assert.is(response.headers.get('location'), '/');
  const header = sessionCookie(response);
  for (const attribute of ['HttpOnly', 'Secure', 'SameSite=Lax', 'Path=/']) assert.match(header, attribute);
  const cookie = header.split(';')[0]!;
  const me = await fetch(`${api.url}/v1/me`, { headers: { cookie } });
  const body = await me.json() as { kind: string; user: { email: string }; csrf_token: string };
  assert.is(me.status, 200);
  assert.is(body.user.email, 'ada@example.org');
  assert.ok(body.csrf_token.length >= 32);
  assert.is((await fetch(`${api.url}/`, { headers: { cookie } })).status, 200);
  const refused = await fetch(`${api.url}/signout`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: 'csrf=wrong' });
  assert.is(refused.status, 403, 'sign-out needs the session\'s token');
  assert.is((await fetch(`${api.url}/v1/me`, { headers: { cookie } })).status, 200, 'still signed in');
  const out = await fetch(`${api.url}/signout`, {
    method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: `csrf=${body.csrf_token}`,
  });
  assert.is(out.status, 303);
  assert.is((await fetch(`${api.url}/v1/me`, { headers: { cookie } })).status, 401, 'the session has ended');
});

test('a wrong password and an unknown email get the same answer; a form without its token or from elsewhere is refused', async () => {
  const wrong = await signIn('ada@example.org', 'not the password at all');
  const unknown = await signIn('nobody@example.org', PASSWORD);
  assert.is(wrong.status, 401);
  assert.is(unknown.status, 401);
  assert.is(wrong.headers.getSetCookie().some((c) => c.startsWith(SESSION_COOKIE)), false);
  const strip = (html: string) => html.replace(/value="[^"]*"/g, '');
  assert.is(strip(await wrong.text()).replace('ada@', 'x@'), strip(await unknown.text()).replace('nobody@', 'x@'));
  const form = await signInForm();
  assert.is((await signIn('ada@example.org', PASSWORD, { csrf: form.csrf, cookie: '' })).status, 403, 'no token cookie');
  const other = await signInForm();
  assert.is((await signIn('ada@example.org', PASSWORD, { csrf: form.csrf, cookie: other.cookie })).status, 403, 'another form\'s token');
  const crossSite = await fetch(`${api.url}/signin`, {
    method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: form.cookie, origin: 'https://evil.example' },
    body: new URLSearchParams({ email: 'ada@example.org', password: PASSWORD, csrf: form.csrf }).toString(),
  });
  assert.is(crossSite.status, 403);
});

test('after the limit of failed sign-ins an email must wait, even with the right password', async () => {
  for (let i = 0; i < FAILURES; i++) assert.is((await signIn('limited@example.org', `wrong password ${i}`)).status, 401);
  const limited = await signIn('limited@example.org', PASSWORD);
  assert.is(limited.status, 429);
  assert.ok(Number(limited.headers.get('retry-after')) > 0);
  assert.is((await signIn('ada@example.org', PASSWORD)).status, 303, 'another email is not limited');
});

test('a session past its lifetime or idle too long signs nobody in', async () => {
  const user = (await api.store.findUserByEmail('ada@example.org'))!;
  const short = { lifetimeMs: 50, idleMs: 3_600_000 };
  const { secret } = await api.store.createSession(user.id, short);
  assert.ok(await api.store.authenticateSession(secret, short));
  await new Promise((resolve) => setTimeout(resolve, 80));
  assert.is(await api.store.authenticateSession(secret, short), null, 'past its lifetime');
  const idle = await api.store.createSession(user.id, { lifetimeMs: 3_600_000, idleMs: 3_600_000 });
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert.is(await api.store.authenticateSession(idle.secret, { lifetimeMs: 3_600_000, idleMs: 20 }), null, 'idle too long');
  assert.is((await fetch(`${api.url}/v1/me`, { headers: { cookie: `${SESSION_COOKIE}=${secret}` } })).status, 401);
});

test.run();
