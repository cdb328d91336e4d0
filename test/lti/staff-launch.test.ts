// Staff who launch from an LMS reach the dashboard, and learners' uploads are rate limited. An
// Instructor's or TA's launch finds or makes their account by (issuer, sub) and gives it the
// launch's course role; the page's "Open gradebox" asks for a handoff token (single use, a minute)
// and posts it to a new window, which gets the dashboard's own session. A learner gets no handoff;
// a replayed, expired, forged or foreign-posted one opens nothing. A learner's uploads count per
// learner, as the portal's count per key.
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { SESSION_COOKIE } from '../../services/api/session-cookie.js';
import { CLAIM } from '../../services/lti/lti-claims.js';
import { ASSIGNMENT, COURSE, type TestApi } from '../support/api-fixtures.js';
import type { SimulatedPlatform } from '../support/lti-platform.js';
import { INSTRUCTOR, launch, learnerClaims, ltiApiPerFile, ltiUpload } from './lti-fixtures.js';

const TA = 'http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant';
const UPLOADS_PER_MINUTE = 2;

let api: TestApi;
let platform: SimulatedPlatform;

ltiApiPerFile(test, { limits: { uploadsPerMinute: UPLOADS_PER_MINUTE } }, (started, connected) => { api = started; platform = connected; });

/** A launch of the test placement by `sub` with these platform roles; returns the page and its launch token. */
async function launchAs(sub: string, roles: string[], extra: Record<string, unknown> = {}): Promise<{ text: string; token: string }> {
  const launched = await launch(api, platform, { ...learnerClaims(api, platform, sub), name: `Name of ${sub}`, email: `${sub}@lms.example.edu`, [CLAIM.roles]: roles, ...extra });
  assert.is(launched.status, 200, launched.text);
  return { text: launched.text, token: launched.token! };
}

async function mint(launchToken: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${api.url}/lti/v1/handoff`, { method: 'POST', headers: { authorization: `Bearer ${launchToken}` } });
  return { status: response.status, body: await response.json() };
}

interface Redeemed {
  status: number;
  location: string | null;
  /** The session cookie set, as a request header's `name=value`. */
  cookie: string | null;
  text: string;
}

/** Posts the handoff form as the launch page's new window does (its Origin is gradebox's own). */
async function redeem(handoff: string, origin: string | null = api.url, cookie?: string): Promise<Redeemed> {
  const response = await fetch(`${api.url}/lti/handoff`, {
    method: 'POST', redirect: 'manual', body: new URLSearchParams({ handoff }), headers: { ...(origin ? { origin } : {}), ...(cookie ? { cookie } : {}) },
  });
  const set = response.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  return { status: response.status, location: response.headers.get('location'), cookie: set ? set.split(';')[0]! : null, text: await response.text() };
}

/** Launch → "Open gradebox" → a signed-in browser: its session cookie and CSRF token. */
async function signedInFrom(launchToken: string): Promise<{ cookie: string; csrf: string; location: string }> {
  const minted = await mint(launchToken);
  assert.is(minted.status, 200, JSON.stringify(minted.body));
  const redeemed = await redeem(minted.body.token);
  assert.is(redeemed.status, 303, redeemed.text);
  assert.ok(redeemed.cookie, 'a session cookie');
  const me = await fetch(`${api.url}/v1/me`, { headers: { cookie: redeemed.cookie! } });
  const page = await fetch(`${api.url}${redeemed.location}`, { headers: { cookie: redeemed.cookie! } });
  const csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(await page.text())?.[1];
  assert.is(me.status, 200);
  assert.ok(csrf, 'the dashboard page carries the session\'s CSRF token');
  return { cookie: redeemed.cookie!, csrf: csrf!, location: redeemed.location! };
}

function staffCall(who: { cookie: string; csrf: string }, method: string, path: string, body?: unknown): Promise<number> {
  return fetch(`${api.url}${path}`, {
    method, headers: { cookie: who.cookie, 'x-csrf-token': who.csrf, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
  }).then(async (r) => { await r.arrayBuffer(); return r.status; });
}

const roleIn = async (userId: string) => (await api.store.courseRolesOf(userId))[COURSE];

test('an Instructor\'s launch makes the account, its identity and its course role; Open gradebox signs the browser in to the assignment\'s page with an instructor\'s rights', async () => {
  const { text, token } = await launchAs('teacher-7', [INSTRUCTOR]);
  assert.match(text, 'Open gradebox');
  assert.match(text, 'Grade passback', 'the passback view stays on the LTI page');
  const user = (await api.store.findUserByIdentity(platform.issuer, 'teacher-7'))!;
  assert.ok(user, 'the identity leads to an account');
  assert.equal([user.name, user.email, user.hasPassword, user.admin], ['Name of teacher-7', 'teacher-7@lms.example.edu', false, false]);
  assert.is(await roleIn(user.id), 'instructor');

  const browser = await signedInFrom(token);
  assert.is(browser.location, `/courses/${COURSE}/assignments/${ASSIGNMENT}`);
  const page = await fetch(`${api.url}${browser.location}`, { headers: { cookie: browser.cookie } });
  assert.is(page.status, 200);
  assert.match(await page.text(), ASSIGNMENT);
  assert.is(await staffCall(browser, 'GET', `/v1/courses/${COURSE}/keys`), 200, 'an instructor manages keys');
  assert.is(await staffCall(browser, 'PATCH', `/v1/courses/${COURSE}/assignments/${ASSIGNMENT}`, { due_at: '2031-01-01T00:00:00Z' }), 200);
  assert.is(await staffCall(browser, 'GET', '/v1/courses/another-course'), 403, 'no other course');
  const granted = (await api.store.listAuditLines({ courseId: COURSE })).map((l) => l.line).filter((l) => l.includes('staff.role.granted'));
  assert.ok(granted.some((l) => l.includes(`lti:${platform.issuer}`) && l.includes('teacher-7@lms.example.edu')), 'the launch\'s grant is in the staff audit trail');
});

test('a TA\'s launch gets a TA\'s limits: reads the course, manages no keys and edits no assignment', async () => {
  const { text, token } = await launchAs('assistant-3', [TA]);
  assert.match(text, '(TA)');
  const user = (await api.store.findUserByIdentity(platform.issuer, 'assistant-3'))!;
  assert.is(await roleIn(user.id), 'ta');
  const browser = await signedInFrom(token);
  assert.is(await staffCall(browser, 'GET', `/v1/courses/${COURSE}`), 200);
  assert.is(await staffCall(browser, 'GET', `/v1/courses/${COURSE}/keys`), 403);
  assert.is(await staffCall(browser, 'PATCH', `/v1/courses/${COURSE}/assignments/${ASSIGNMENT}`, { due_at: '2031-01-01T00:00:00Z' }), 403);
});

test('a learner\'s launch cannot obtain a handoff', async () => {
  const { text, token } = await launchAs('learner-9', [learnerClaims(api, platform)[CLAIM.roles] as string[]].flat());
  assert.not.match(text, 'Open gradebox');
  const minted = await mint(token);
  assert.is(minted.status, 403);
  assert.is(minted.body.error.code, 'E_FORBIDDEN');
  assert.is(await api.store.findUserByIdentity(platform.issuer, 'learner-9'), null, 'a learner gets no account');
});

test('a handoff opens one session: replayed, expired, forged, foreign-posted or unsent ones are refused with a page and set no cookie', async () => {
  const { token } = await launchAs('teacher-8', [INSTRUCTOR]);
  const minted = (await mint(token)).body as { token: string; expires_at: string };
  assert.match(minted.token, /^lth_[A-Za-z0-9_-]{43}$/);
  assert.ok(Date.parse(minted.expires_at) - Date.now() <= 60_000, 'good for a minute at most');

  const foreign = await redeem(minted.token, 'https://evil.example');
  assert.equal([foreign.status, foreign.cookie], [403, null]);
  assert.match(foreign.text, 'E_CSRF');
  assert.equal([(await redeem(minted.token, null)).status], [403], 'no Origin: not from gradebox\'s page');
  assert.is((await redeem(minted.token)).status, 303, 'the refused posts did not use it up');

  const replayed = await redeem(minted.token);
  assert.equal([replayed.status, replayed.cookie], [401, null]);
  assert.match(replayed.text, 'E_LTI_HANDOFF');

  const user = (await api.store.findUserByIdentity(platform.issuer, 'teacher-8'))!;
  const expired = await api.store.createLtiHandoff({ userId: user.id, courseId: COURSE, assignmentId: null, expiresAt: new Date(Date.now() - 1000).toISOString() });
  assert.equal([(await redeem(expired)).status, (await redeem(expired)).cookie], [401, null]);
  const forged = await redeem(`lth_${'A'.repeat(43)}`);
  assert.equal([forged.status, forged.cookie], [401, null]);
  assert.equal([(await redeem('')).status], [400]);
});

test('a second launch of the same sub is the same account; a role only launches gave follows the latest launch', async () => {
  await launchAs('teacher-9', [INSTRUCTOR]);
  const first = (await api.store.findUserByIdentity(platform.issuer, 'teacher-9'))!;
  const { token } = await launchAs('teacher-9', [TA]);
  const again = (await api.store.findUserByIdentity(platform.issuer, 'teacher-9'))!;
  assert.is(again.id, first.id);
  assert.is((await api.store.listUsers()).filter((u) => u.name === 'Name of teacher-9').length, 1);
  assert.is(await roleIn(first.id), 'ta', 'the LMS made them a TA: so are they here');
  const browser = await signedInFrom(token);
  assert.is(await staffCall(browser, 'GET', `/v1/courses/${COURSE}/keys`), 403);
  // Opened again from the LMS in the same browser: the session it had ends, a new one begins.
  const reopened = await redeem((await mint(token)).body.token, api.url, browser.cookie);
  assert.is(reopened.status, 303);
  assert.is((await fetch(`${api.url}/v1/me`, { headers: { cookie: browser.cookie } })).status, 401, 'the earlier session ended');
  assert.is((await fetch(`${api.url}/v1/me`, { headers: { cookie: reopened.cookie! } })).status, 200);
});

test('an existing account linked to the identity keeps its stronger role; an email an account has already is not taken over', async () => {
  const existing = await api.store.createUser({ email: 'prof@example.edu', passwordHash: null });
  await api.store.setCourseRole(existing.id, COURSE, 'instructor');
  await api.store.addIdentity(platform.issuer, 'prof-sub', existing.id);
  const { text, token } = await launchAs('prof-sub', [TA], { email: 'someone-else@lms.example.edu' });
  assert.match(text, '(instructor)');
  assert.is(await roleIn(existing.id), 'instructor');
  const browser = await signedInFrom(token);
  assert.is(await staffCall(browser, 'GET', `/v1/courses/${COURSE}/keys`), 200);

  // A new sub whose id token names that account's email gets an account of its own, with no email.
  await launchAs('impostor-sub', [INSTRUCTOR], { email: 'prof@example.edu' });
  const impostor = (await api.store.findUserByIdentity(platform.issuer, 'impostor-sub'))!;
  assert.is.not(impostor.id, existing.id);
  assert.is(impostor.email, null);
});

test('a learner\'s LTI uploads are limited per learner: 429 with Retry-After past the limit; another learner is not affected', async () => {
  const first = await launchAs('busy-learner', [learnerClaims(api, platform)[CLAIM.roles] as string[]].flat());
  for (let i = 0; i < UPLOADS_PER_MINUTE; i++) assert.is((await ltiUpload(api, first.token)).status, 202);
  const refused = await fetch(`${api.url}/lti/v1/submissions`, { method: 'POST', headers: { authorization: `Bearer ${first.token}` }, body: new FormData() });
  assert.is(refused.status, 429);
  const seconds = Number(refused.headers.get('retry-after'));
  assert.ok(seconds >= 1 && seconds <= 60, `Retry-After ${seconds}`);
  const body = await refused.json() as { error: { code: string; message: string } };
  assert.is(body.error.code, 'E_RATE_LIMITED');
  assert.match(body.error.message, 'a learner may make 2 uploads a minute');
  const other = await launchAs('calm-learner', [learnerClaims(api, platform)[CLAIM.roles] as string[]].flat());
  assert.is((await ltiUpload(api, other.token)).status, 202);
});

test.run();
