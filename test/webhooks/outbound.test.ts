// A course's webhooks out, over the real API (store, Redis, loopback HTTP): every event type
// delivered and verified with the standardwebhooks reference library, payloads that show what a
// student may see and nothing more, event filters, secret rotation (two signatures), the delivery
// log and redelivery (the same webhook-id), one course's endpoints hidden from another, SSRF
// refused at registration, and an endpoint failing for too long disabled and saying so.
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { MAX_WEBHOOK_PAYLOAD_BYTES } from '../../services/protocol/webhook-events.js';
import type { PrivateRedis } from '../../services/queue/private-redis.js';
import { COURSE, getJson, postResult, startTestApi, uploadOne, type TestApi } from '../support/api-fixtures.js';
import { removeTempDirs } from '../support/helpers.js';
import { privateRedis, until } from '../support/queue-fixtures.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';
import { callApi, gradeResult, registerEndpoint, verified } from './webhook-fixtures.js';

let redis: PrivateRedis;
let api: TestApi;
let receiver: WebhookReceiver;

test.before(async () => {
  redis = await privateRedis();
  receiver = await WebhookReceiver.start();
  // Loopback is allowed explicitly (the receiver is there); failing for 600 ms counts as "for days".
  api = await startTestApi(redis, { webhooks: { allowNetworks: ['127.0.0.0/8'], retryScheduleMs: [0, 200, 200, 200, 200, 200, 200], disableAfterMs: 600, relayIntervalMs: 50 } });
});
test.after.each(async () => {
  for (const endpoint of await api.store.listWebhookEndpoints(COURSE)) await api.store.removeWebhookEndpoint(endpoint.id);
  receiver.reset();
});
test.after(async () => {
  await api?.service.close();
  await receiver?.close();
  await redis?.stop();
  removeTempDirs();
});

test('an upload is delivered as submission.queued, signed as the reference library verifies; the secret is shown once', async () => {
  const { id: endpoint, secret } = await registerEndpoint(api, receiver.url());
  assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
  const shown = await callApi(api, 'GET', `/v1/webhooks/endpoints/${endpoint}`);
  assert.equal([shown.status, shown.body.secret, shown.body.enabled, shown.body.events], [200, undefined, true, null]);
  const sentAt = Math.floor(Date.now() / 1000);
  const id = await uploadOne(api);
  const [request] = await receiver.waitFor(1, 10_000);
  const payload = verified(request!, secret);
  assert.equal(payload.type, 'submission.queued');
  assert.equal(payload.data, { id, assignment: 'sum', student: 'ada', grade_number: 1, url: `${api.url}/v1/submissions/${id}`, kind: 'grade' });
  assert.match(request!.headers['webhook-id']!, /^msg_[A-Za-z0-9_-]{22}$/);
  assert.ok(Math.abs(Number(request!.headers['webhook-timestamp']) - sentAt) <= 5, 'the attempt\'s time, in seconds');
  assert.is(request!.headers['content-type'], 'application/json');
  // The receiver has the request before the API has logged its answer.
  const logged = () => callApi(api, 'GET', `/v1/webhooks/endpoints/${endpoint}/deliveries`);
  await until(async () => (await logged()).body.deliveries[0]?.state !== 'pending', 5000, 'the answer logged');
  const log = await logged();
  assert.is(log.status, 200);
  const [delivery] = log.body.deliveries;
  assert.equal([delivery.message_id, delivery.type, delivery.state], [request!.headers['webhook-id'], 'submission.queued', 'delivered']);
  assert.equal(delivery.attempts.map((a: any) => [a.attempt, a.status, a.outcome, a.error]), [[1, 204, 'delivered', null]]);
  assert.ok(Number.isInteger(delivery.attempts[0].latency_ms));
});

test('submission.graded shows the verdict and score a student sees: null while tests are withheld; thin, with the student-visible link', async () => {
  const { secret } = await registerEndpoint(api, receiver.url(), ['submission.graded']);
  const open = await uploadOne(api, 'open');
  const withheld = await uploadOne(api, 'withheld');
  assert.is(await postResult(api, { type: 'finished', submissionId: open, gradeNumber: 1, incidents: [], result: gradeResult([{ name: 'a', verdict: 'AC' }, { name: 'b', verdict: 'WA' }]) }), 204);
  assert.is(await postResult(api, {
    type: 'finished', submissionId: withheld, gradeNumber: 1, incidents: [],
    result: gradeResult([{ name: 'a', verdict: 'AC' }, { name: 'edge', verdict: 'WA', visibility: 'after_due_date' }]),
  }), 204);
  const requests = await receiver.waitFor(2, 10_000);
  const byId = new Map(requests.map((r) => { const p = verified(r, secret); return [p.data.id, { p, bytes: Buffer.byteLength(r.body) }]; }));
  const shown = byId.get(open)!.p.data;
  assert.equal([shown.verdict, shown.score, shown.max_score, shown.gradable, shown.withheld], ['WA', 1, 2, true, { after_due_date: 0, after_published: 0 }]);
  const hidden = byId.get(withheld)!.p.data;
  assert.equal([hidden.verdict, hidden.score, hidden.max_score, hidden.withheld.after_due_date], [null, null, 2, 1], 'the total would tell how the withheld test went');
  for (const { bytes } of byId.values()) assert.ok(bytes < MAX_WEBHOOK_PAYLOAD_BYTES, `${bytes} bytes`);
  for (const request of requests) assert.not.match(request.body, /edge output|operator-only|\/srv\/graders/, 'no test output, operator note or host path');
  const viaLink = await getJson(api, new URL(hidden.url).pathname);
  assert.equal([viaLink.status, viaLink.body.result.score, viaLink.body.result.verdict], [200, null, null], 'the link shows the student view');
});

test('submission.error tells what a student may know and a reference, never the internal detail', async () => {
  const { secret } = await registerEndpoint(api, receiver.url(), ['submission.error']);
  const id = await uploadOne(api);
  assert.is(await postResult(api, { type: 'failed', submissionId: id, gradeNumber: 1, reason: 'launcher died at /var/lib/gradebox/slot-3', userError: false }), 204);
  const [request] = await receiver.waitFor(1, 10_000);
  const { data } = verified(request!, secret);
  assert.is(data.reference, `${id}.1`);
  assert.match(data.message, /not in your code/);
  assert.not.match(request!.body, /launcher|\/var\/lib/);
});

test('incident.opened for each incident of a grading: the syscall, no evidence or host detail', async () => {
  const { secret } = await registerEndpoint(api, receiver.url(), ['incident.opened']);
  const id = await uploadOne(api);
  const incident = { test: 'a', syscall: 'ptrace', incidentId: 'inc-1', evidenceSha256: null };
  assert.is(await postResult(api, { type: 'finished', submissionId: id, gradeNumber: 1, incidents: [incident], result: gradeResult([{ name: 'a', verdict: 'AC' }]) }), 204);
  const [request] = await receiver.waitFor(1, 10_000);
  const payload = verified(request!, secret);
  assert.equal([payload.type, payload.data.id, payload.data.syscall, payload.data.reference], ['incident.opened', id, 'ptrace', `${id}.1`]);
  assert.ok(Number.isInteger(payload.data.incident));
});

test('an endpoint gets only the event types it asked for; a regrade is queued again as kind regrade', async () => {
  const all = await registerEndpoint(api, receiver.url('/all'));
  const graded = await registerEndpoint(api, receiver.url('/graded-only'), ['submission.graded']);
  const id = await uploadOne(api);
  assert.is((await callApi(api, 'POST', `/v1/submissions/${id}/regrade`)).status, 202);
  assert.is(await postResult(api, { type: 'finished', submissionId: id, gradeNumber: 2, incidents: [], result: gradeResult([{ name: 'a', verdict: 'AC' }]) }), 204);
  await receiver.waitFor(4, 10_000);
  const payloads = (path: string, secret: string) => receiver.received.filter((r) => r.path === path).map((r) => verified(r, secret));
  assert.equal(payloads('/all', all.secret).map((p) => `${p.type} ${p.data.grade_number} ${p.data.kind ?? ''}`).sort(),
    ['submission.graded 2 ', 'submission.queued 1 grade', 'submission.queued 2 regrade']);
  assert.equal(payloads('/graded-only', graded.secret).map((p) => p.type), ['submission.graded']);
  const log = await callApi(api, 'GET', `/v1/webhooks/endpoints/${graded.id}/deliveries`);
  assert.equal(log.body.deliveries.map((d: any) => d.type), ['submission.graded'], 'nothing else was even written for it');
});

test('a rotated secret: each delivery is signed by the new and the old secret until the old one expires', async () => {
  const { id: endpoint, secret: old } = await registerEndpoint(api, receiver.url());
  const rotated = await callApi(api, 'POST', `/v1/webhooks/endpoints/${endpoint}/rotate-secret`);
  assert.is(rotated.status, 200);
  assert.ok(Date.parse(rotated.body.previous_secret_expires_at) > Date.now() + 23 * 3600_000, 'the old one signs a day more');
  await uploadOne(api);
  const [both] = await receiver.waitFor(1, 10_000);
  assert.is(both!.headers['webhook-signature']!.split(' ').length, 2);
  assert.is(verified(both!, rotated.body.secret).type, 'submission.queued', 'the new secret verifies');
  assert.is(verified(both!, old).type, 'submission.queued', 'the old one too');
  await api.store.rotateWebhookSecret(endpoint, 0); // the previous secret expires at once
  const newest = (await api.store.listWebhookEndpoints(COURSE))[0]!;
  assert.ok(newest.previousSecretExpiresAt !== null);
  await uploadOne(api);
  const [, single] = await receiver.waitFor(2, 10_000);
  assert.is(single!.headers['webhook-signature']!.split(' ').length, 1, 'the expired one no longer signs');
  assert.throws(() => verified(single!, rotated.body.secret), 'the secret before the last rotation is gone');
});

test('a manual redelivery sends the same message again, with the same webhook-id, logged as the next attempt', async () => {
  const { id: endpoint, secret } = await registerEndpoint(api, receiver.url());
  await uploadOne(api);
  const [first] = await receiver.waitFor(1, 10_000);
  const messageId = first!.headers['webhook-id']!;
  const again = await callApi(api, 'POST', `/v1/webhooks/endpoints/${endpoint}/deliveries/${messageId}/redeliver`);
  assert.equal([again.status, again.body.state], [202, 'pending']);
  const [, second] = await receiver.waitFor(2, 10_000);
  assert.is(second!.headers['webhook-id'], messageId);
  assert.is(second!.body, first!.body, 'the same bytes');
  assert.equal(verified(second!, secret), verified(first!, secret));
  await until(async () => (await callApi(api, 'GET', `/v1/webhooks/endpoints/${endpoint}/deliveries`)).body.deliveries[0].attempts.length === 2, 5000, 'the second attempt logged');
  const unknown = await callApi(api, 'POST', `/v1/webhooks/endpoints/${endpoint}/deliveries/msg_${'A'.repeat(22)}/redeliver`);
  assert.equal([unknown.status, unknown.body.error.code], [404, 'E_NOT_FOUND']);
});

test('another course neither sees nor changes a course\'s endpoints', async () => {
  const { id: endpoint } = await registerEndpoint(api, receiver.url());
  await api.store.createCourse('cs202');
  const other = (await api.store.createApiKey('cs202')).secret;
  assert.equal((await callApi(api, 'GET', '/v1/webhooks/endpoints', undefined, other)).body, { endpoints: [] });
  for (const [method, path] of [['GET', ''], ['PATCH', ''], ['DELETE', ''], ['POST', '/rotate-secret'], ['GET', '/deliveries']] as const) {
    const answer = await callApi(api, method, `/v1/webhooks/endpoints/${endpoint}${path}`, method === 'PATCH' ? { enabled: false } : undefined, other);
    assert.is(answer.status, 404, `${method} ${path}`);
  }
  assert.is((await callApi(api, 'GET', `/v1/webhooks/endpoints/${endpoint}`)).body.enabled, true, 'unchanged');
});

test('registration refuses URLs that reach private, link-local or metadata addresses (SSRF), and odd URLs', async () => {
  const refused: Array<[string, string]> = [
    ['http://10.0.0.1/hook', 'E_WEBHOOK_ADDRESS'],
    ['http://169.254.169.254/latest/meta-data/', 'E_WEBHOOK_ADDRESS'],
    ['http://[fd00:ec2::254]/', 'E_WEBHOOK_ADDRESS'],
    ['http://[::ffff:192.168.1.1]/', 'E_WEBHOOK_ADDRESS'],
    ['http://100.64.0.1/', 'E_WEBHOOK_ADDRESS'],
    ['http://0.0.0.0:8080/', 'E_WEBHOOK_ADDRESS'],
    ['ftp://127.0.0.1/', 'E_WEBHOOK_URL'],
    ['http://user:pass@127.0.0.1/', 'E_WEBHOOK_URL'],
    ['not a url', 'E_WEBHOOK_URL'],
  ];
  for (const [url, code] of refused) {
    const answer = await callApi(api, 'POST', '/v1/webhooks/endpoints', { url });
    assert.equal([answer.status, answer.body.error.code], [400, code], url);
  }
  assert.match((await callApi(api, 'POST', '/v1/webhooks/endpoints', { url: 'http://169.254.169.254/' })).body.error.message, /cloud metadata service/);
  assert.equal(await api.store.listWebhookEndpoints(COURSE), [], 'none stored');
  const changed = await registerEndpoint(api, receiver.url());
  const moved = await callApi(api, 'PATCH', `/v1/webhooks/endpoints/${changed.id}`, { url: 'http://192.168.0.10/' });
  assert.equal([moved.status, moved.body.error.code], [400, 'E_WEBHOOK_ADDRESS'], 'a change is checked too');
});

test('an endpoint whose every attempt fails for longer than allowed is disabled, says why, and operators are told', async () => {
  const { id: endpoint } = await registerEndpoint(api, receiver.url('/down'));
  receiver.answer = () => ({ status: 500 });
  await uploadOne(api);
  await until(async () => (await callApi(api, 'GET', `/v1/webhooks/endpoints/${endpoint}`)).body.enabled === false, 10_000, 'the endpoint disabled');
  const shown = (await callApi(api, 'GET', `/v1/webhooks/endpoints/${endpoint}`)).body;
  assert.match(shown.disabled_reason, /^every attempt since .* failed \(more than 600ms without a delivery\); the last one answered 500$/);
  const [delivery] = (await callApi(api, 'GET', `/v1/webhooks/endpoints/${endpoint}/deliveries`)).body.deliveries;
  assert.is(delivery.state, 'failed');
  assert.is(delivery.attempts.at(-1).outcome, 'disabled');
  // Retried until the failures had lasted 600 ms (how many attempts that took depends on the machine's load).
  assert.ok(delivery.attempts.length >= 2 && delivery.attempts.slice(0, -1).every((a: any) => a.outcome === 'retry' && a.status === 500));
  assert.is(shown.failing_since, delivery.attempts[0].at, 'failing since the first attempt');
  assert.ok(Date.parse(shown.disabled_at) - Date.parse(shown.failing_since) >= 600, 'disabled only once failing for longer than allowed');
  assert.ok(api.logs.some((l) => l.event === 'webhook.endpoint_disabled' && l.endpoint === endpoint && l.level === 50), 'an error line for operators');
  const before = receiver.received.length;
  const unsent = await uploadOne(api);
  const redeliver = await callApi(api, 'POST', `/v1/webhooks/endpoints/${endpoint}/deliveries/${delivery.message_id}/redeliver`);
  assert.equal([redeliver.status, redeliver.body.error.code], [409, 'E_WEBHOOK_DISABLED']);
  receiver.answer = () => ({ status: 204 });
  assert.is((await callApi(api, 'PATCH', `/v1/webhooks/endpoints/${endpoint}`, { enabled: true })).body.enabled, true);
  const later = await uploadOne(api);
  const [arrived] = (await receiver.waitFor(before + 1, 10_000)).slice(before);
  assert.match(arrived!.body, new RegExp(later), 'enabled again, the next event arrives');
  assert.not.match(receiver.received.map((r) => r.body).join(), new RegExp(unsent), 'nothing was kept for it while disabled');
});

test.run();
