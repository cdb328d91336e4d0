// The webhook operations of the store, on every backend: endpoints and their secrets (a rotation
// keeps the old one signing for a while), messages and deliveries written in the transaction of the
// event they report (or not at all), attempts moving a delivery and its endpoint, redelivery, and
// inbound receipts that make a webhook act once, even when two copies arrive at once.
import * as assert from 'uvu/assert';

import type { Store } from '../../services/store/store.js';
import { StoreFixture, backendTests, by, internalError, seed, submit, userError } from '../support/store-fixtures.js';

const fixture = new StoreFixture();
const test = backendTests(fixture, 'store/webhooks');
test.after.each(() => fixture.cleanup());

const URL = 'https://lms.example.edu/hook';
const attempt = (outcome: 'delivered' | 'retry' | 'failed' | 'disabled', extra: object = {}) => ({
  startedAt: new Date().toISOString(), status: outcome === 'delivered' ? 204 : 500, latencyMs: 12, error: outcome === 'delivered' ? null : 'answered 500', outcome, ...extra,
});

async function deliveriesOf(store: Store) {
  return store.pendingWebhookDeliveries(100);
}

test('an endpoint: created with its secret, listed, changed, disabled and enabled, removed', async () => {
  const store = await fixture.open();
  await seed(store);
  const { endpoint, secret } = await store.createWebhookEndpoint('cs101', { url: URL, eventTypes: ['submission.graded', 'submission.graded'] });
  assert.match(secret, /^whsec_/);
  assert.equal([endpoint.courseId, endpoint.url, endpoint.eventTypes, endpoint.disabledAt, endpoint.failingSince], ['cs101', URL, ['submission.graded'], null, null]);
  assert.equal(await store.listWebhookEndpoints('cs101'), [endpoint]);
  assert.equal(await store.getWebhookEndpoint(endpoint.id), endpoint);
  const changed = await store.changeWebhookEndpoint(endpoint.id, { eventTypes: null, description: 'grades', enabled: false });
  assert.equal([changed.eventTypes, changed.description, changed.disabledReason], [null, 'grades', 'disabled by its owner']);
  assert.ok(changed.disabledAt !== null && changed.updatedAt >= endpoint.updatedAt);
  assert.is((await store.changeWebhookEndpoint(endpoint.id, { enabled: true })).disabledAt, null);
  await userError(store.changeWebhookEndpoint(endpoint.id, {}), 'E_BAD_INPUT');
  await userError(store.changeWebhookEndpoint(endpoint.id, { url: 'ftp://x/' }), 'E_BAD_INPUT');
  await userError(store.createWebhookEndpoint('cs101', { url: URL, eventTypes: ['everything' as 'submission.graded'] }), 'E_BAD_INPUT');
  await userError(store.createWebhookEndpoint('nope', { url: URL }), 'E_NOT_FOUND');
  await store.removeWebhookEndpoint(endpoint.id);
  assert.equal([await store.listWebhookEndpoints('cs101'), await store.getWebhookEndpoint(endpoint.id)], [[], null]);
  await userError(store.removeWebhookEndpoint(endpoint.id), 'E_NOT_FOUND');
});

test('an event is written with a message and a delivery per enabled endpoint that asked for its type; a course without endpoints gets none', async () => {
  const store = await fixture.open();
  const assignment = await seed(store);
  await submit(store, assignment, { x: '1' });
  assert.equal(await deliveriesOf(store), [], 'no endpoint, no message');
  const every = (await store.createWebhookEndpoint('cs101', { url: URL })).endpoint;
  const graded = (await store.createWebhookEndpoint('cs101', { url: `${URL}/graded`, eventTypes: ['submission.graded'] })).endpoint;
  const off = (await store.createWebhookEndpoint('cs101', { url: `${URL}/off` })).endpoint;
  await store.changeWebhookEndpoint(off.id, { enabled: false });
  const id = (await submit(store, assignment, { x: '2' })).submission.id;
  const queued = await deliveriesOf(store);
  assert.equal(queued.map((d) => [d.round, d.message.type, d.message.submissionId, d.message.gradeNumber, d.message.payload]), [[1, 'submission.queued', id, 1, null]]);
  await store.startAttempt(id, 1, by('w'));
  await store.recordResult(id, 1, {}, { verdict: 'AC', score: 1, maxScore: 1, gradable: true });
  const after = (await deliveriesOf(store)).slice(1);
  assert.equal(after.map((d) => [d.message.type, d.message.gradeNumber]), [['submission.graded', 1], ['submission.graded', 1]], 'running is not sent; graded to both');
  assert.is(after[0]!.message.id, after[1]!.message.id, 'one message, one delivery per endpoint');
  const sent = await Promise.all(after.map((d) => store.webhookDeliveryToSend(d.deliveryId)));
  assert.equal(sent.map((d) => d!.endpoint.id).sort(), [every.id, graded.id].sort());
});

test('an event whose webhook delivery cannot be written is not stored either: the submission is not made', async () => {
  const dir = fixture.dataDir();
  const store = await fixture.open(dir);
  const assignment = await seed(store);
  await store.createWebhookEndpoint('cs101', { url: URL });
  const repair = await fixture.breakInserts(dir, 'webhook_deliveries');
  await internalError(submit(store, assignment, { x: '1' }), 'E_STORE_CONSTRAINT');
  await repair();
  for (const table of ['submissions', 'events', 'outbox', 'webhook_messages']) assert.equal(await fixture.rows(dir, `SELECT * FROM ${table}`), [], table);
});

test('an incident becomes incident.opened, with its id', async () => {
  const store = await fixture.open();
  const assignment = await seed(store);
  await store.createWebhookEndpoint('cs101', { url: URL, eventTypes: ['incident.opened'] });
  const id = (await submit(store, assignment, { x: '1' })).submission.id;
  await store.startAttempt(id, 1, by('w'));
  const incident = await store.addIncident({ submissionId: id, gradeNumber: 1, syscall: 'ptrace', evidenceSha256: null, evidencePath: null, record: {} });
  assert.equal((await deliveriesOf(store)).map((d) => [d.message.type, d.message.incidentId, d.message.gradeNumber]), [['incident.opened', incident.id, 1]]);
});

test('relaying: the first payload kept stays; a delivery relayed is no longer pending, until it is redelivered', async () => {
  const store = await fixture.open();
  const assignment = await seed(store);
  const { endpoint } = await store.createWebhookEndpoint('cs101', { url: URL });
  await submit(store, assignment, { x: '1' });
  const [delivery] = await deliveriesOf(store);
  assert.is(await store.setWebhookPayload(delivery!.message.id, '{"a":1}'), '{"a":1}');
  assert.is(await store.setWebhookPayload(delivery!.message.id, '{"a":2}'), '{"a":1}', 'every attempt sends the same bytes');
  await userError(store.setWebhookPayload('msg_nope', '{}'), 'E_NOT_FOUND');
  await store.markWebhookDeliveryRelayed(delivery!.deliveryId, 2);
  assert.is((await deliveriesOf(store)).length, 1, 'a stale round changes nothing');
  await store.markWebhookDeliveryRelayed(delivery!.deliveryId, 1);
  assert.equal(await deliveriesOf(store), []);
  assert.equal(await store.recordWebhookAttempt(delivery!.deliveryId, 1, attempt('delivered')), true);
  const again = await store.redeliverWebhook(endpoint.id, delivery!.message.id);
  assert.equal([again.state, again.attempts.length], ['pending', 1]);
  assert.equal((await deliveriesOf(store)).map((d) => [d.deliveryId, d.round, d.message.payload]), [[delivery!.deliveryId, 2, '{"a":1}']]);
  await userError(store.redeliverWebhook(endpoint.id, 'msg_nope'), 'E_NOT_FOUND');
});

test('attempts move the delivery and the endpoint: a retry keeps it pending and starts a failing streak, a delivery ends it, disabling says why', async () => {
  const store = await fixture.open();
  const assignment = await seed(store);
  const { endpoint } = await store.createWebhookEndpoint('cs101', { url: URL });
  await submit(store, assignment, { x: '1' });
  await submit(store, assignment, { x: '2' });
  const [first, second] = await deliveriesOf(store);
  const retry = attempt('retry', { nextAttemptAt: '2030-01-01T00:00:00.000Z' });
  assert.is(await store.recordWebhookAttempt(first!.deliveryId, 1, retry), true);
  assert.is((await store.getWebhookEndpoint(endpoint.id))!.failingSince, retry.startedAt);
  assert.is(await store.recordWebhookAttempt(first!.deliveryId, 2, attempt('delivered')), false, 'another round: nothing written');
  assert.is(await store.recordWebhookAttempt(first!.deliveryId, 1, attempt('delivered')), true);
  assert.is((await store.getWebhookEndpoint(endpoint.id))!.failingSince, null);
  const log = await store.listWebhookDeliveries(endpoint.id);
  assert.equal(log.map((d) => d.messageId), [second!.message.id, first!.message.id], 'newest first');
  assert.equal([log[1]!.state, log[1]!.nextAttemptAt, log[1]!.attempts.map((a) => [a.attempt, a.status, a.outcome, a.latencyMs])],
    ['delivered', null, [[1, 500, 'retry', 12], [2, 204, 'delivered', 12]]]);
  assert.is(await store.recordWebhookAttempt(first!.deliveryId, 1, attempt('delivered')), false, 'over: nothing written');
  assert.is(await store.recordWebhookAttempt(second!.deliveryId, 1, attempt('disabled', { disableEndpoint: 'it answered 410 Gone' })), true);
  const disabled = (await store.getWebhookEndpoint(endpoint.id))!;
  assert.equal([disabled.disabledReason, typeof disabled.disabledAt, (await store.listWebhookDeliveries(endpoint.id, 1))[0]!.state], ['it answered 410 Gone', 'string', 'failed']);
  const later = (await submit(store, assignment, { x: '3' })).submission.id;
  assert.equal((await deliveriesOf(store)).filter((d) => d.message.submissionId === later), [], 'a disabled endpoint gets no new deliveries');
  await store.removeWebhookEndpoint(endpoint.id);
  assert.is(await store.webhookDeliveryToSend(first!.deliveryId), null, 'removed with its deliveries');
});

test('a rotated secret signs beside the new one until it expires', async () => {
  const store = await fixture.open();
  const assignment = await seed(store);
  const { endpoint, secret: old } = await store.createWebhookEndpoint('cs101', { url: URL });
  await submit(store, assignment, { x: '1' });
  const [delivery] = await deliveriesOf(store);
  const { secret, endpoint: rotated } = await store.rotateWebhookSecret(endpoint.id, 60_000);
  assert.ok(Date.parse(rotated.previousSecretExpiresAt!) > Date.now() + 50_000);
  assert.equal((await store.webhookDeliveryToSend(delivery!.deliveryId))!.signingSecrets, [secret, old]);
  const { secret: newest } = await store.rotateWebhookSecret(endpoint.id, 0);
  assert.equal((await store.webhookDeliveryToSend(delivery!.deliveryId))!.signingSecrets, [newest], 'no grace: the new one alone');
  await userError(store.rotateWebhookSecret('whe_nope', 0), 'E_NOT_FOUND');
});

test('an inbound webhook acts once per receipt, even when two copies arrive at once; a removed integration is refused', async () => {
  const store = await fixture.open();
  const assignment = await seed(store);
  const { integration, secret } = await store.createInboundIntegration('cs101', 'Canvas');
  assert.match(secret, /^whsec_/);
  assert.equal(await store.findInboundIntegration(integration.id), { ...integration, secret });
  assert.equal((await store.listInboundIntegrations('cs101')).map((i) => i.label), ['Canvas']);
  const blob = await store.putBlob(Buffer.from('int main(){}'));
  const input = { courseId: 'cs101', assignmentId: assignment.id, student: 'ada', files: [{ path: 'main.c', sha256: blob.sha256, size: blob.size }] };
  const receipt = { integrationId: integration.id, webhookId: 'msg_one' };
  const copies = await Promise.all([1, 2, 3].map(() => store.createInboundSubmission(receipt, input)));
  assert.equal(copies.filter((c) => c.created).length, 1);
  assert.equal(new Set(copies.map((c) => c.submission.id)).size, 1);
  const id = copies[0]!.submission.id;
  const regrades = await Promise.all([1, 2].map(() => store.requestInboundRegrade({ integrationId: integration.id, webhookId: 'msg_two' }, id)));
  assert.equal(regrades.map((r) => r.created).sort(), [false, true]);
  assert.is((await store.getSubmission(id))!.gradeNumber, 2, 'regraded once');
  await userError(store.createInboundSubmission({ integrationId: integration.id, webhookId: 'bad.id' }, input), 'E_BAD_INPUT');
  await store.removeInboundIntegration(integration.id);
  assert.is(await store.findInboundIntegration(integration.id), null);
  await userError(store.createInboundSubmission({ integrationId: integration.id, webhookId: 'msg_three' }, input), 'E_NOT_FOUND');
  assert.is((await store.listSubmissions({ courseId: 'cs101' })).length, 1, 'nothing made for a removed integration');
});

test.run();
