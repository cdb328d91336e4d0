// Signed webhooks in, over the real API: an integration creates submissions (files in base64) and
// asks for regrades, each request signed with the standardwebhooks reference library; its
// webhook-id makes a redelivery (even two at once) create nothing twice. Refused: no signature, a
// wrong secret, a changed body, a timestamp out of tolerance, an unknown or removed integration,
// and payloads that break the upload rules (unsafe names, bad base64, over the caps).
import { Webhook } from 'standardwebhooks';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import type { PrivateRedis } from '../../services/queue/private-redis.js';
import { ASSIGNMENT, COURSE, queuedJobData, startTestApi, uploadOne, type TestApi } from '../support/api-fixtures.js';
import { removeTempDirs } from '../support/helpers.js';
import { closeConnections, privateRedis } from '../support/queue-fixtures.js';
import { sha256 } from '../support/store-fixtures.js';
import { callApi } from './webhook-fixtures.js';

let redis: PrivateRedis;
let api: TestApi;
let integration: { id: string; path: string; secret: string };

test.before(async () => {
  redis = await privateRedis();
  api = await startTestApi(redis, { uploadLimits: { maxFileBytes: 1024, maxBodyBytes: 64 * 1024 } });
  const created = await callApi(api, 'POST', '/v1/webhooks/integrations', { label: 'Moodle' });
  assert.is(created.status, 201);
  integration = created.body;
});
test.after(async () => {
  closeConnections();
  await api?.service.close();
  await redis?.stop();
  removeTempDirs();
});

interface Sent {
  status: number;
  replayed: boolean;
  body: any;
  /** The answer's X-Request-Id. */
  requestId: string | null;
}

let counter = 0;
const newId = () => `lms-${Date.now()}-${counter++}`;

/** Signs `payload` as an LMS would, with the reference library, and posts it; `change` spoils one part. */
async function send(payload: unknown, options: { id?: string; secret?: string; at?: Date; path?: string; body?: string; headers?: Record<string, string>; requestId?: string } = {}): Promise<Sent> {
  const id = options.id ?? newId();
  const at = options.at ?? new Date();
  const body = JSON.stringify(payload);
  const signature = new Webhook(options.secret ?? integration.secret).sign(id, at, body);
  const headers = {
    ...(options.headers ?? { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signature }),
    ...(options.requestId ? { 'x-request-id': options.requestId } : {}),
  };
  const response = await fetch(`${api.url}${options.path ?? integration.path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: options.body ?? body });
  const text = await response.text();
  return { status: response.status, replayed: response.headers.get('idempotent-replayed') === 'true', body: text ? JSON.parse(text) : null, requestId: response.headers.get('x-request-id') };
}

const create = (student: string, files: Record<string, string>) => ({
  type: 'submission.create', timestamp: new Date().toISOString(),
  data: { assignment: ASSIGNMENT, student, files: Object.entries(files).map(([path, text]) => ({ path, content_base64: Buffer.from(text).toString('base64') })) },
});

const submissionsOf = async (student: string) => api.store.listSubmissions({ courseId: COURSE, student });

test('the integration is registered with a secret shown once and a path to send to', async () => {
  assert.match(integration.id, /^whi_/);
  assert.is(integration.path, `/v1/webhooks/inbound/${integration.id}`);
  assert.match(integration.secret, /^whsec_/);
  const listed = await callApi(api, 'GET', '/v1/webhooks/integrations');
  assert.equal(listed.body.integrations.map((i: any) => [i.id, i.label, i.secret]), [[integration.id, 'Moodle', undefined]]);
});

/** The request id the grading's job carries, once the outbox relay has queued it. */
async function jobRequestId(submissionId: string, gradeNumber: number): Promise<unknown> {
  return (await queuedJobData(redis, api, submissionId, gradeNumber)).requestId;
}

test('the grading an inbound webhook asks for carries the id of the request that delivered it, for the worker\'s log', async () => {
  const created = await send(create('traced', { 'main.c': 'int main(void){}\n' }), { requestId: 'lms-req-1' });
  assert.equal([created.status, created.requestId], [202, 'lms-req-1']);
  assert.is(await jobRequestId(created.body.id, 1), 'lms-req-1');
  const regraded = await send({ type: 'submission.regrade', data: { submission: created.body.id } });
  assert.is(regraded.status, 202);
  assert.match(String(regraded.requestId), /^[0-9a-f-]{36}$/, 'none sent: the API made one');
  assert.is(await jobRequestId(created.body.id, 2), regraded.requestId, 'the regrade has its own');
  const logged = api.logs.find((l) => l.msg === 'inbound webhook accepted' && l.submission === created.body.id && l.action === 'submission.create');
  assert.is(logged?.request_id, 'lms-req-1');
});

test('a signed submission.create makes a submission of its files; the same webhook-id again creates nothing', async () => {
  const files = { 'main.c': 'int main(void) { return 0; }\n', 'src/util.h': '#define N 3\n' };
  const id = newId();
  const first = await send(create('lti-user-1', files), { id });
  assert.equal([first.status, first.body.status, first.replayed], [202, 'queued', false]);
  const stored = await api.store.listSubmissionFiles(first.body.id);
  assert.equal(stored, Object.entries(files).map(([path, text]) => ({ path, sha256: sha256(text), size: text.length })));
  const again = await send(create('lti-user-1', files), { id, at: new Date(Date.now() + 2000) });
  assert.equal([again.status, again.body.id, again.replayed], [202, first.body.id, true]);
  assert.is((await submissionsOf('lti-user-1')).length, 1);
  const other = await send(create('lti-user-1', files));
  assert.is.not(other.body.id, first.body.id, 'a new webhook-id is a new submission');
});

test('the same webhook delivered twice at once still makes one submission', async () => {
  const id = newId();
  const payload = create('twice-at-once', { 'main.c': 'int main(void){}\n' });
  const [a, b] = await Promise.all([send(payload, { id }), send(payload, { id })]);
  assert.equal([a.status, b.status], [202, 202]);
  assert.is(a.body.id, b.body.id);
  assert.equal([a.replayed, b.replayed].sort(), [false, true]);
  assert.is((await submissionsOf('twice-at-once')).length, 1);
});

test('submission.regrade asks for the next grading once per webhook-id', async () => {
  const submission = await uploadOne(api, 'regraded');
  const id = newId();
  const regrade = { type: 'submission.regrade', data: { submission } };
  const first = await send(regrade, { id });
  assert.equal([first.status, first.body], [202, { id: submission, status: 'queued' }]);
  assert.is((await api.store.getSubmission(submission))?.gradeNumber, 2);
  const again = await send(regrade, { id });
  assert.equal([again.status, again.replayed], [202, true]);
  assert.is((await api.store.getSubmission(submission))?.gradeNumber, 2, 'not regraded twice');
  await send(regrade);
  assert.is((await api.store.getSubmission(submission))?.gradeNumber, 3, 'a new webhook-id regrades again');
});

test('refused without a signature that holds: none, a wrong secret, a changed body, a stale or future timestamp; nothing is created', async () => {
  const payload = create('forger', { 'main.c': 'int main(void){}\n' });
  const refusals: Array<[string, Sent]> = [
    ['no signature', await send(payload, { headers: {} })],
    ['a wrong secret', await send(payload, { secret: `whsec_${Buffer.alloc(32, 7).toString('base64')}` })],
    ['a changed body', await send(payload, { body: JSON.stringify(create('forger', { 'main.c': 'evil' })) })],
    ['ten minutes old', await send(payload, { at: new Date(Date.now() - 10 * 60_000) })],
    ['ten minutes ahead', await send(payload, { at: new Date(Date.now() + 10 * 60_000) })],
  ];
  for (const [what, sent] of refusals) assert.equal([sent.status, sent.body.error.code], [401, 'E_WEBHOOK_SIGNATURE'], what);
  assert.match(refusals[3]![1].body.error.message, /timestamp too old/);
  const unknown = await send(payload, { path: `/v1/webhooks/inbound/whi_${'A'.repeat(16)}` });
  assert.equal([unknown.status, unknown.body.error.code], [404, 'E_NOT_FOUND']);
  assert.is((await submissionsOf('forger')).length, 0);
});

test('a payload is checked like an upload once its signature holds', async () => {
  const other = await api.store.createCourse('cs303');
  const elsewhere = (await api.store.createApiKey(other.id)).secret;
  const foreign = (await callApi(api, 'POST', '/v1/webhooks/integrations', {}, elsewhere)).body;
  const mine = await uploadOne(api, 'not-theirs');
  const file = (path: string, content_base64: string) => ({ type: 'submission.create', data: { assignment: ASSIGNMENT, student: 'names', files: [{ path, content_base64 }] } });
  const cases: Array<[string, unknown, number, string, string?]> = [
    ['an unknown type', { type: 'submission.delete', data: {} }, 400, 'E_BAD_REQUEST'],
    ['an unknown assignment', { ...create('x', { 'a.c': '' }), data: { ...create('x', { 'a.c': '' }).data, assignment: 'nope' } }, 404, 'E_UNKNOWN_ASSIGNMENT'],
    ['a path leaving the folder', file('../escape.c', 'AA=='), 422, 'E_UPLOAD_NAME_TRAVERSAL'],
    ['an absolute path', file('/etc/passwd', 'AA=='), 422, 'E_UPLOAD_NAME_ABSOLUTE'],
    ['content that is not base64', file('main.c', 'not base64!'), 422, 'E_BAD_BASE64'],
    ['a file over the cap', file('main.c', Buffer.alloc(2048, 65).toString('base64')), 413, 'E_UPLOAD_FILE_TOO_LARGE'],
    ['a body over the cap', file('main.c', Buffer.alloc(70 * 1024, 65).toString('base64')), 413, 'E_TOO_LARGE'],
    ['another course\'s submission', { type: 'submission.regrade', data: { submission: mine } }, 404, 'E_NOT_FOUND', foreign.path],
  ];
  for (const [what, payload, status, code, path] of cases) {
    const sent = await send(payload, { path, secret: path ? foreign.secret : undefined });
    assert.equal([sent.status, sent.body.error.code], [status, code], what);
  }
  const twice = { type: 'submission.create', data: { assignment: ASSIGNMENT, student: 'names', files: [{ path: 'Main.c', content_base64: '' }, { path: 'main.c', content_base64: '' }] } };
  assert.is((await send(twice)).body.error.code, 'E_UPLOAD_DUPLICATE', 'names that differ only in case');
  assert.is((await submissionsOf('names')).length, 0);
  assert.is((await api.store.getSubmission(mine))?.gradeNumber, 1, 'not regraded by another course');
});

test('a removed integration is refused; another course can neither list nor remove one', async () => {
  const second = (await callApi(api, 'POST', '/v1/webhooks/integrations', {})).body;
  await api.store.createCourse('cs404');
  const other = (await api.store.createApiKey('cs404')).secret;
  assert.equal((await callApi(api, 'GET', '/v1/webhooks/integrations', undefined, other)).body, { integrations: [] });
  assert.is((await callApi(api, 'DELETE', `/v1/webhooks/integrations/${second.id}`, undefined, other)).status, 404);
  assert.is((await callApi(api, 'DELETE', `/v1/webhooks/integrations/${second.id}`)).status, 204);
  const sent = await send(create('late', { 'main.c': '' }), { path: second.path, secret: second.secret });
  assert.equal([sent.status, sent.body.error.code], [404, 'E_NOT_FOUND']);
});

test.run();
