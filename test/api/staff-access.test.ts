// Every route of the API under /v1 against every kind of caller, as one table: each caller the
// role model allows gets the route's answer, every other one is refused with a 403 JSON error (a
// resource named by its id in a course the caller cannot read: 404, as if it did not exist;
// nobody: 401). The callers are people signed in (an admin, an instructor and a TA of course A, an
// instructor of course B, a person with no role) and keys (A's portal key, A's and B's staff keys).
import { join } from 'node:path';

import Database from 'better-sqlite3';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { SESSION_COOKIE } from '../../services/api/session-cookie.js';
import { verifyStaffAudit } from '../../services/audit/staff-audit.js';
import type { PrivateRedis } from '../../services/queue/private-redis.js';
import type { CourseRole } from '../../services/store/store.js';
import { ASSIGNMENT, COURSE, startTestApi, uploadOne, type TestApi } from '../support/api-fixtures.js';
import { removeTempDirs } from '../support/helpers.js';
import { privateRedis } from '../support/queue-fixtures.js';
import { addAssignment } from '../support/store-fixtures.js';

const OTHER = 'cs202';
const CALLERS = ['nobody', 'portalA', 'staffKeyA', 'staffKeyB', 'admin', 'instructorA', 'taA', 'instructorB', 'noRole'] as const;
type Caller = typeof CALLERS[number];

/** What a caller sends: a bearer key, or a session cookie and its CSRF token. */
type Credentials = { key: string } | { cookie: string; csrf: string } | null;

let redis: PrivateRedis;
let api: TestApi;
const credentials = new Map<Caller, Credentials>();
/** Ids the table's requests name: a submission, an incident, a regrade batch, a throwaway key and person of course A. */
const ids = { submission: '', incident: 0, regrade: '', key: '', member: '', user: '' };
let serial = 0;

async function signedIn(email: string, roles: Record<string, CourseRole>, admin = false): Promise<Credentials> {
  const user = await api.store.createUser({ email, passwordHash: null, admin });
  for (const [course, role] of Object.entries(roles)) await api.store.setCourseRole(user.id, course, role);
  const { secret, session } = await api.store.createSession(user.id, { lifetimeMs: 3_600_000, idleMs: 3_600_000 });
  return { cookie: `${SESSION_COOKIE}=${secret}`, csrf: session.csrfToken };
}

test.before(async () => {
  redis = await privateRedis();
  api = await startTestApi(redis);
  const { store } = api;
  await store.createCourse(OTHER);
  await addAssignment(store, COURSE, 'old', '/srv/graders/old', 'b'.repeat(64));
  credentials.set('nobody', null);
  credentials.set('portalA', { key: api.key });
  credentials.set('staffKeyA', { key: (await store.createApiKey(COURSE, 'staff', { scope: 'staff' })).secret });
  credentials.set('staffKeyB', { key: (await store.createApiKey(OTHER, 'staff', { scope: 'staff' })).secret });
  credentials.set('admin', await signedIn('admin@example.org', {}, true));
  credentials.set('instructorA', await signedIn('ia@example.org', { [COURSE]: 'instructor' }));
  credentials.set('taA', await signedIn('ta@example.org', { [COURSE]: 'ta' }));
  credentials.set('instructorB', await signedIn('ib@example.org', { [OTHER]: 'instructor' }));
  credentials.set('noRole', await signedIn('nobody@example.org', {}));
  ids.submission = await uploadOne(api);
  const evidence = await store.putBlob(Buffer.from('evidence archive'));
  ids.incident = (await store.addIncident({ submissionId: ids.submission, gradeNumber: 1, syscall: 'mount', evidenceSha256: evidence.sha256, evidencePath: null, record: {} })).id;
  ids.regrade = (await store.createRegradeBatch({ courseId: COURSE, student: 'nobody-at-all' }, 'test', 10)).id;
  ids.key = (await store.createApiKey(COURSE, 'to revoke')).key.id;
  const member = await store.createUser({ email: 'member@example.org', passwordHash: null });
  await store.setCourseRole(member.id, COURSE, 'ta');
  ids.member = member.id;
  ids.user = (await store.createUser({ email: 'reset@example.org', passwordHash: null })).id;
});
test.after(async () => {
  await api?.service.close();
  await redis?.stop();
  removeTempDirs();
});

/** Sends a request as `caller`; a streamed answer is cut once its head arrives. */
async function call(caller: Caller, method: string, path: string, body?: unknown): Promise<{ status: number; json: any; type: string }> {
  const given = credentials.get(caller) ?? null;
  const headers: Record<string, string> = {};
  if (given && 'key' in given) headers.authorization = `Bearer ${given.key}`;
  if (given && 'cookie' in given) Object.assign(headers, { cookie: given.cookie, 'x-csrf-token': given.csrf });
  let payload: FormData | string | undefined;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const controller = new AbortController();
  const response = await fetch(`${api.url}${path}`, { method, headers, body: payload, signal: controller.signal });
  const type = response.headers.get('content-type') ?? '';
  if (type.startsWith('text/event-stream')) {
    controller.abort();
    return { status: response.status, json: null, type };
  }
  const text = await response.text();
  return { status: response.status, json: type.includes('json') && text ? JSON.parse(text) : null, type };
}

const READERS: Caller[] = ['admin', 'instructorA', 'taA', 'staffKeyA'];
const EDITORS: Caller[] = ['admin', 'instructorA', 'staffKeyA'];
const MANAGERS: Caller[] = ['admin', 'instructorA'];
const STAFF: Caller[] = ['staffKeyA', 'staffKeyB', 'admin', 'instructorA', 'taA', 'instructorB', 'noRole'];
/** Anyone with a role in some course (the queue page). */
const COURSE_STAFF: Caller[] = ['staffKeyA', 'staffKeyB', 'admin', 'instructorA', 'taA', 'instructorB'];

interface Row {
  method: string;
  path: () => string;
  body?: () => unknown;
  /** Puts back what an earlier call of the row changed. */
  before?: () => Promise<unknown>;
  /** Who may; each of them gets `ok`. */
  allowed: Caller[];
  ok: number;
  /** Names a resource of course A by its id: a caller who cannot read course A gets 404, not 403. */
  byId?: boolean;
}

const A = `/v1/courses/${COURSE}`;
const emptyForm = () => new FormData();

const ROWS: Row[] = [
  { method: 'GET', path: () => '/v1/me', allowed: ['portalA', ...STAFF], ok: 200 },
  { method: 'GET', path: () => '/v1/courses', allowed: STAFF, ok: 200 },
  { method: 'POST', path: () => '/v1/courses', body: () => ({ id: `new${++serial}`, name: 'New' }), allowed: ['admin'], ok: 201 },
  { method: 'GET', path: () => A, allowed: READERS, ok: 200 },
  { method: 'PATCH', path: () => A, body: () => ({ name: 'Intro to CS' }), allowed: EDITORS, ok: 200 },
  { method: 'GET', path: () => `${A}/assignments`, allowed: READERS, ok: 200 },
  { method: 'POST', path: () => `${A}/assignments`, body: emptyForm, allowed: EDITORS, ok: 422 },
  { method: 'POST', path: () => `${A}/graders/validate`, body: emptyForm, allowed: EDITORS, ok: 422 },
  { method: 'GET', path: () => `${A}/assignments/${ASSIGNMENT}`, allowed: READERS, ok: 200 },
  { method: 'PATCH', path: () => `${A}/assignments/${ASSIGNMENT}`, body: () => ({ due_at: '2031-01-01T00:00:00Z' }), allowed: EDITORS, ok: 200 },
  { method: 'PUT', path: () => `${A}/assignments/${ASSIGNMENT}/grader`, body: emptyForm, allowed: EDITORS, ok: 422 },
  // The test grader has no samples: there is nothing to self-test, so it cannot be published here.
  { method: 'POST', path: () => `${A}/assignments/${ASSIGNMENT}/self-test`, allowed: EDITORS, ok: 409 },
  { method: 'GET', path: () => `${A}/assignments/${ASSIGNMENT}/self-test`, allowed: READERS, ok: 404 },
  { method: 'POST', path: () => `${A}/assignments/${ASSIGNMENT}/publish`, allowed: EDITORS, ok: 409 },
  { method: 'POST', path: () => `${A}/assignments/old/archive`, allowed: EDITORS, ok: 200 },
  { method: 'GET', path: () => `${A}/keys`, allowed: MANAGERS, ok: 200 },
  { method: 'POST', path: () => `${A}/keys`, body: () => ({ scope: 'portal', expires_days: 30 }), allowed: MANAGERS, ok: 201 },
  { method: 'POST', path: () => `${A}/keys/${ids.key}/revoke`, allowed: MANAGERS, ok: 200 },
  { method: 'GET', path: () => `${A}/people`, allowed: READERS, ok: 200 },
  { method: 'POST', path: () => `${A}/people`, body: () => ({ email: 'member@example.org', role: 'ta' }), allowed: MANAGERS, ok: 200 },
  { method: 'POST', path: () => `${A}/people/${ids.member}/remove`, before: () => api.store.setCourseRole(ids.member, COURSE, 'ta'), allowed: MANAGERS, ok: 204 },
  { method: 'GET', path: () => '/v1/users', allowed: ['admin'], ok: 200 },
  { method: 'POST', path: () => '/v1/users', body: () => ({ email: `new${++serial}@example.org` }), allowed: ['admin'], ok: 201 },
  { method: 'POST', path: () => `/v1/users/${ids.user}/password`, allowed: ['admin'], ok: 200 },
  { method: 'GET', path: () => `/v1/submissions?course=${COURSE}`, allowed: READERS, ok: 200 },
  { method: 'GET', path: () => `${A}/scores.csv`, allowed: READERS, ok: 200 },
  { method: 'GET', path: () => `/v1/submissions/${ids.submission}/record`, allowed: READERS, ok: 200, byId: true },
  { method: 'GET', path: () => `/v1/submissions/${ids.submission}/file?path=main.c`, allowed: READERS, ok: 200, byId: true },
  { method: 'POST', path: () => '/v1/regrades', body: () => ({ course: COURSE, student: 'nobody-at-all' }), allowed: READERS, ok: 202 },
  { method: 'GET', path: () => `/v1/regrades/${ids.regrade}`, allowed: READERS, ok: 200, byId: true },
  { method: 'GET', path: () => `/v1/incidents?course=${COURSE}`, allowed: READERS, ok: 200 },
  { method: 'GET', path: () => `/v1/incidents/${ids.incident}`, allowed: READERS, ok: 200, byId: true },
  { method: 'GET', path: () => `/v1/incidents/${ids.incident}/evidence`, allowed: READERS, ok: 200, byId: true },
  { method: 'PATCH', path: () => `/v1/incidents/${ids.incident}`, body: () => ({ state: 'reviewed', note: 'seen' }), allowed: EDITORS, ok: 200, byId: true },
  { method: 'GET', path: () => '/v1/queue', allowed: COURSE_STAFF, ok: 200 },
  { method: 'GET', path: () => '/v1/queue/events', allowed: COURSE_STAFF, ok: 200 },
  { method: 'GET', path: () => `/v1/audit?course=${COURSE}`, allowed: EDITORS, ok: 200 },
  // The portal's routes: one submission is also its course staff's to read and regrade.
  { method: 'GET', path: () => `/v1/submissions/${ids.submission}`, allowed: ['portalA', ...READERS], ok: 200, byId: true },
  { method: 'GET', path: () => `/v1/submissions/${ids.submission}/events`, allowed: ['portalA', ...READERS], ok: 200, byId: true },
  { method: 'POST', path: () => `/v1/submissions/${ids.submission}/regrade`, allowed: ['portalA', ...READERS], ok: 202, byId: true },
  { method: 'POST', path: () => '/v1/submissions', body: emptyForm, allowed: ['portalA'], ok: 422 },
  { method: 'GET', path: () => `/v1/assignments/${ASSIGNMENT}`, allowed: ['portalA'], ok: 200 },
  { method: 'PATCH', path: () => `/v1/assignments/${ASSIGNMENT}`, body: () => ({ due_at: '2031-01-01T00:00:00Z' }), allowed: ['portalA'], ok: 200 },
  // Webhooks: a course's portal key manages them (services/api/webhook-routes.ts, webhookAdminAuth).
  { method: 'POST', path: () => '/v1/webhooks/endpoints', body: () => ({}), allowed: ['portalA'], ok: 400 },
  { method: 'GET', path: () => '/v1/webhooks/endpoints', allowed: ['portalA'], ok: 200 },
  { method: 'GET', path: () => '/v1/webhooks/endpoints/ep_none', allowed: ['portalA'], ok: 404 },
  { method: 'PATCH', path: () => '/v1/webhooks/endpoints/ep_none', body: () => ({ description: 'x' }), allowed: ['portalA'], ok: 404 },
  { method: 'DELETE', path: () => '/v1/webhooks/endpoints/ep_none', allowed: ['portalA'], ok: 404 },
  { method: 'POST', path: () => '/v1/webhooks/endpoints/ep_none/rotate-secret', allowed: ['portalA'], ok: 404 },
  { method: 'GET', path: () => '/v1/webhooks/endpoints/ep_none/deliveries', allowed: ['portalA'], ok: 404 },
  { method: 'POST', path: () => '/v1/webhooks/endpoints/ep_none/deliveries/msg_none/redeliver', allowed: ['portalA'], ok: 404 },
  { method: 'POST', path: () => '/v1/webhooks/integrations', body: () => ({ label: 'LMS' }), allowed: ['portalA'], ok: 201 },
  { method: 'GET', path: () => '/v1/webhooks/integrations', allowed: ['portalA'], ok: 200 },
  // Signed by an integration's secret, whoever sends it: a key or a session is no signature.
  { method: 'POST', path: () => '/v1/webhooks/inbound/whi_none', body: () => ({}), allowed: [...CALLERS], ok: 401 },
  { method: 'DELETE', path: () => '/v1/webhooks/integrations/in_none', allowed: ['portalA'], ok: 404 },
];

/** What a caller the row does not allow gets. */
function refusal(row: Row, caller: Caller): number {
  if (caller === 'nobody') return 401;
  if (row.byId && !READERS.includes(caller) && caller !== 'portalA') return 404;
  return 403;
}

test('each route answers each caller as the role model says: allowed, 403 JSON, 404 across courses, 401 for nobody', async () => {
  const wrong: string[] = [];
  for (const row of ROWS) {
    for (const caller of CALLERS) {
      const expected = row.allowed.includes(caller) ? row.ok : refusal(row, caller);
      await row.before?.();
      const got = await call(caller, row.method, row.path(), row.body?.());
      const label = `${row.method} ${row.path()} as ${caller}`;
      if (got.status !== expected) wrong.push(`${label}: ${got.status} (expected ${expected}) ${JSON.stringify(got.json)}`);
      else if (expected >= 400 && !(got.type.includes('json') && typeof got.json?.error?.code === 'string')) wrong.push(`${label}: ${expected} without a JSON error`);
      else if (expected === 403 && !['E_FORBIDDEN'].includes(got.json.error.code)) wrong.push(`${label}: 403 ${got.json.error.code}`);
    }
  }
  assert.equal(wrong, []);
});

test('every route of the OpenAPI document under /v1 is in the table', async () => {
  const doc = await (await fetch(`${api.url}/openapi.json`)).json() as { paths: Record<string, Record<string, unknown>> };
  const documented = Object.entries(doc.paths).filter(([path]) => path.startsWith('/v1/'))
    .flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`));
  const pattern = (row: Row) => `${row.method} ${row.path().split('?')[0]!}`;
  const covered = new Set(ROWS.map(pattern));
  const asDocumented = (route: string) => route.replace(/\{(\w+)\}/g, '[^/]+');
  assert.equal(documented.filter((route) => ![...covered].some((c) => new RegExp(`^${asDocumented(route)}$`).test(c))), []);
});

/**
 * Routes that admit none of the callers above but a credential of their own; every key and session
 * is refused alike. What each admits is tested in test/lti/staff-launch.test.ts.
 */
const OWN_CREDENTIAL_ROWS = [
  // Admits: an Instructor's or TA's LTI launch token (a learner's gets 403).
  { method: 'POST', path: '/lti/v1/handoff', refused: 401 },
  // Admits: a handoff token (form field handoff) posted from gradebox's own launch page.
  { method: 'POST', path: '/lti/handoff', refused: 400 },
];

test('the LTI handoff routes admit no key and no session: only a staff launch\'s token, or its handoff', async () => {
  const wrong: string[] = [];
  for (const row of OWN_CREDENTIAL_ROWS) {
    for (const caller of CALLERS) {
      const got = await call(caller, row.method, row.path);
      if (got.status !== row.refused) wrong.push(`${row.method} ${row.path} as ${caller}: ${got.status} (expected ${row.refused})`);
    }
  }
  assert.equal(wrong, []);
});

test('no course sees another\'s data: listings hold only the caller\'s courses', async () => {
  const courses = async (caller: Caller) => ((await call(caller, 'GET', '/v1/courses')).json as Array<{ id: string }>).map((c) => c.id);
  assert.equal(await courses('instructorB'), [OTHER]);
  assert.equal(await courses('staffKeyA'), [COURSE]);
  assert.equal(await courses('noRole'), []);
  assert.ok((await courses('admin')).includes(COURSE) && (await courses('admin')).includes(OTHER));
  const unnamed = await call('instructorB', 'GET', '/v1/incidents');
  assert.is(unnamed.status, 400, 'a listing names its course');
  assert.match(unnamed.json.error.message, OTHER);
  assert.not.match(unnamed.json.error.message, COURSE);
  assert.equal((await call('staffKeyB', 'GET', `/v1/incidents?course=${OTHER}`)).json.incidents, []);
  const me = await call('taA', 'GET', '/v1/me');
  assert.equal(me.json.roles, { [COURSE]: 'ta' });
});

test('a request with a session that changes something needs its CSRF token and this origin; a key needs neither', async () => {
  const session = credentials.get('instructorA') as { cookie: string; csrf: string };
  const patch = (headers: Record<string, string>) => fetch(`${api.url}${A}`, {
    method: 'PATCH', headers: { cookie: session.cookie, 'content-type': 'application/json', ...headers }, body: JSON.stringify({ name: 'Intro' }),
  }).then(async (r) => ({ status: r.status, body: await r.json() as any }));
  const missing = await patch({});
  assert.is(missing.status, 403);
  assert.is(missing.body.error.code, 'E_CSRF');
  assert.is((await patch({ 'x-csrf-token': 'x'.repeat(43) })).body.error.code, 'E_CSRF');
  assert.is((await patch({ 'x-csrf-token': session.csrf, origin: 'https://evil.example' })).body.error.code, 'E_CSRF');
  assert.is((await patch({ 'x-csrf-token': session.csrf, origin: api.url })).status, 200);
  const key = (credentials.get('staffKeyA') as { key: string }).key;
  assert.is((await fetch(`${api.url}${A}`, { method: 'PATCH', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: '{"name":"Intro"}' })).status, 200);
});

test('staff actions go into the audit trail, newest first, naming who did them', async () => {
  const trail = await call('admin', 'GET', `/v1/audit?course=${COURSE}`);
  assert.is(trail.status, 200);
  const entries = trail.json.entries as Array<{ type: string; actor: string; course: string }>;
  const types = entries.map((e) => e.type);
  for (const type of ['staff.course.renamed', 'staff.key.created', 'staff.key.revoked', 'staff.role.removed', 'staff.incident.triaged', 'staff.assignment.archived']) {
    assert.ok(types.includes(type), `${type} in ${types.join(', ')}`);
  }
  assert.ok(entries.some((e) => e.actor === 'user:ia@example.org'), 'a person is named by email');
  assert.ok(entries.every((e) => e.course === COURSE), 'only the course asked for');
  assert.ok(entries.every((e) => !JSON.stringify(e).includes('gbx_')), 'no key secret in the trail');
  assert.equal((await call('instructorB', 'GET', `/v1/audit?course=${OTHER}`)).json.entries, [], 'course B\'s trail has none of A\'s');
  const verified = await verifyStaffAudit(api.store);
  assert.ok(verified.ok && verified.lines >= entries.length, JSON.stringify(verified));
  // An edited line breaks the chain, and verify names it.
  const db = new Database(join(api.dataDir, 'gradebox.sqlite'));
  try {
    db.prepare("UPDATE staff_audit SET line = replace(line, 'ia@example.org', 'ib@example.org') WHERE seq = (SELECT MIN(seq) FROM staff_audit WHERE line LIKE '%ia@example.org%')").run();
  } finally {
    db.close();
  }
  const broken = await verifyStaffAudit(api.store);
  assert.is(broken.ok, false);
});

test.run();
