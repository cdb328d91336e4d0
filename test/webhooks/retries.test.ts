// Deliveries that fail, over the real API: retried on the schedule (fast here) with jitter and the
// same webhook-id, Retry-After honoured, 410 disabling the endpoint, a redirect never followed, a
// silent endpoint given up on at the timeout, and the endpoint's address checked again at every
// delivery and connected to as checked (a DNS server of the test's changes its answer: rebinding).
import { lookup } from 'node:dns/promises';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import type { PrivateRedis } from '../../services/queue/private-redis.js';
import { COURSE, startTestApi, uploadOne, type TestApi } from '../support/api-fixtures.js';
import { TestDnsServer } from '../support/dns-server.js';
import { removeTempDirs } from '../support/helpers.js';
import { privateRedis, sleep, until } from '../support/queue-fixtures.js';
import { WebhookReceiver, type ReceivedWebhook } from '../support/webhook-receiver.js';
import { callApi, registerEndpoint, verified } from './webhook-fixtures.js';

const SCHEDULE = [0, 100, 200, 1500];
const OPERATOR_TOKEN = 'retries-test-operator-token';
let redis: PrivateRedis;
let api: TestApi;
let receiver: WebhookReceiver;
let dns: TestDnsServer;

test.before(async () => {
  redis = await privateRedis();
  receiver = await WebhookReceiver.start();
  dns = await TestDnsServer.start();
  api = await startTestApi(redis, {
    operatorToken: OPERATOR_TOKEN,
    webhooks: { allowNetworks: ['127.0.0.0/8'], dnsServers: [dns.server], retryScheduleMs: SCHEDULE, timeoutMs: 500, disableAfterMs: 3600_000, relayIntervalMs: 50 },
  });
});
test.after.each(async () => {
  for (const endpoint of await api.store.listWebhookEndpoints(COURSE)) await api.store.removeWebhookEndpoint(endpoint.id);
  receiver.reset();
  dns.address = '127.0.0.1';
});
test.after(async () => {
  await api?.service.close();
  await receiver?.close();
  await dns?.close();
  await redis?.stop();
  removeTempDirs();
});

async function deliveries(endpoint: string): Promise<any[]> {
  return (await callApi(api, 'GET', `/v1/webhooks/endpoints/${endpoint}/deliveries`)).body.deliveries;
}

/** Waits until the endpoint's newest delivery is no longer pending; returns it. */
async function settled(endpoint: string): Promise<any> {
  await until(async () => (await deliveries(endpoint))[0]?.state !== 'pending', 10_000, 'the delivery settled');
  return (await deliveries(endpoint))[0];
}

const gaps = (requests: ReceivedWebhook[]) => requests.slice(1).map((r, i) => r.at - requests[i]!.at);

test('a failing endpoint is tried on the schedule, spread by jitter, with the same webhook-id, until the schedule ends', async () => {
  const { id: endpoint, secret } = await registerEndpoint(api, receiver.url());
  receiver.answer = () => ({ status: 503 });
  await uploadOne(api);
  const requests = await receiver.waitFor(4, 10_000);
  const delivery = await settled(endpoint);
  gaps(requests).forEach((gap, i) => {
    const planned = SCHEDULE[i + 1]!;
    assert.ok(gap >= planned * 0.9 - 5 && gap <= planned * 1.1 + 250, `retry ${i + 1} after ${gap} ms (planned ${planned} ± 10 %)`);
  });
  assert.is(new Set(requests.map((r) => r.headers['webhook-id'])).size, 1, 'one webhook-id');
  for (const request of requests) assert.is(verified(request, secret).type, 'submission.queued', 'each attempt signed anew');
  assert.is(delivery.state, 'failed');
  assert.equal(delivery.attempts.map((a: any) => [a.status, a.outcome]), [[503, 'retry'], [503, 'retry'], [503, 'retry'], [503, 'failed']]);
  await sleep(300);
  assert.is(receiver.received.length, 4, 'no attempt beyond the schedule');
  const shown = (await callApi(api, 'GET', `/v1/webhooks/endpoints/${endpoint}`)).body;
  assert.equal([shown.enabled, typeof shown.failing_since], [true, 'string'], 'failing, not yet for long enough to be disabled');
});

test('Retry-After of a 429 or a 503 is honoured: the next attempt waits at least that long', async () => {
  const { id: endpoint } = await registerEndpoint(api, receiver.url());
  receiver.answer = (_request, index) => (index === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 204 });
  await uploadOne(api);
  const [first, second] = await receiver.waitFor(2, 10_000);
  assert.ok(second!.at - first!.at >= 990, `waited ${second!.at - first!.at} ms, asked for 1 s (the schedule said ${SCHEDULE[1]} ms)`);
  const delivery = await settled(endpoint);
  assert.equal(delivery.attempts.map((a: any) => [a.status, a.outcome]), [[429, 'retry'], [204, 'delivered']]);
  assert.ok(Date.parse(delivery.attempts[1].at) - Date.parse(delivery.attempts[0].at) >= 990);
});

test('410 Gone disables the endpoint at once: no retry, and later events are not sent to it', async () => {
  const { id: endpoint } = await registerEndpoint(api, receiver.url());
  receiver.answer = () => ({ status: 410 });
  await uploadOne(api);
  const delivery = await settled(endpoint);
  assert.equal(delivery.attempts.map((a: any) => [a.status, a.outcome]), [[410, 'disabled']]);
  const shown = (await callApi(api, 'GET', `/v1/webhooks/endpoints/${endpoint}`)).body;
  assert.equal([shown.enabled, shown.disabled_reason], [false, 'it answered 410 Gone: it wants no more webhooks']);
  await uploadOne(api);
  await sleep(SCHEDULE[1]! + SCHEDULE[2]! + 200);
  assert.is(receiver.received.length, 1, 'neither retried nor sent anything new');
  assert.is((await deliveries(endpoint)).length, 1);
});

test('a redirect is not followed: the attempt fails, saying where it pointed, and is retried at the same URL', async () => {
  const { id: endpoint } = await registerEndpoint(api, receiver.url('/moved'));
  receiver.answer = (_request, index) => (index === 0 ? { status: 301, headers: { location: receiver.url('/elsewhere') } } : { status: 204 });
  await uploadOne(api);
  await receiver.waitFor(2, 10_000);
  const delivery = await settled(endpoint);
  assert.equal(receiver.received.map((r) => r.path), ['/moved', '/moved'], 'never /elsewhere');
  assert.equal(delivery.attempts.map((a: any) => [a.status, a.outcome]), [[301, 'retry'], [204, 'delivered']]);
  assert.match(delivery.attempts[0].error, /redirect to http:\/\/127\.0\.0\.1:\d+\/elsewhere, which is not followed/);
});

test('an endpoint that does not answer within the timeout fails that attempt; the next one is made', async () => {
  const { id: endpoint } = await registerEndpoint(api, receiver.url());
  receiver.answer = (_request, index) => ({ status: index === 0 ? 0 : 204 });
  await uploadOne(api);
  await receiver.waitFor(2, 10_000);
  const delivery = await settled(endpoint);
  assert.equal(delivery.attempts.map((a: any) => [a.status, a.outcome]), [[null, 'retry'], [204, 'delivered']]);
  assert.match(delivery.attempts[0].error, /no answer within \d+ ms/);
  assert.ok(delivery.attempts[0].latency_ms >= 450 && delivery.attempts[0].latency_ms < 2000, `${delivery.attempts[0].latency_ms} ms`);
});

test('the host is resolved once per attempt and checked: rebound to a private address it is refused; the request goes to the address checked', async () => {
  const system = await lookup('hook.test').then(() => 'resolved', (error: NodeJS.ErrnoException) => error.code);
  assert.is(system, 'ENOTFOUND', 'the system resolver does not know the name: only the test\'s DNS server does');
  const { id: endpoint, secret } = await registerEndpoint(api, receiver.url('/named', 'hook.test'));
  const queriesBefore = dns.queries.length;
  await uploadOne(api);
  const [first] = await receiver.waitFor(1, 10_000);
  assert.is(verified(first!, secret).type, 'submission.queued', 'delivered to the address the guard checked, the name not resolved again');
  assert.is(dns.queries.length - queriesBefore, 1, 'one resolution for the attempt');
  dns.address = '10.1.2.3';
  await uploadOne(api);
  await until(async () => (await deliveries(endpoint))[0]?.attempts.length >= 1, 10_000, 'the refused attempt logged');
  const refused = (await deliveries(endpoint))[0].attempts[0];
  assert.equal([refused.status, refused.outcome], [null, 'retry']);
  assert.match(refused.error, /hook\.test resolves to 10\.1\.2\.3, which is private \(RFC 1918\)/);
  assert.is(receiver.received.length, 1, 'nothing sent meanwhile');
  dns.address = '127.0.0.1';
  await receiver.waitFor(2, 10_000);
  assert.is((await settled(endpoint)).state, 'delivered', 'resolved again for the retry, and allowed');
});

/** One metric family's samples in /metrics, by their labels (`outcome="retry"`). */
async function samples(family: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${api.url}/metrics`, { headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } })).text();
  const found = new Map<string, number>();
  for (const [, name, labels, value] of text.matchAll(/^(gradebox_\w+)(?:\{(.*)\})? (\S+)$/gm)) if (name === family) found.set(labels ?? '', Number(value));
  return found;
}

/** The webhook outcomes counted, and the attempts whose latency was observed. */
async function deliveryCounts(): Promise<Record<string, number>> {
  const outcomes = await samples('gradebox_webhook_deliveries_total');
  const latency = await samples('gradebox_delivery_duration_seconds_count');
  const counts: Record<string, number> = { latencies: latency.get('channel="webhook"') ?? 0 };
  for (const outcome of ['delivered', 'retry', 'failed', 'disabled']) counts[outcome] = outcomes.get(`outcome="${outcome}"`) ?? Number.NaN;
  return counts;
}

test('each attempt is counted in /metrics by its outcome (200 delivered, 500 retry and at the schedule\'s end failed, 410 disabled), its latency observed', async () => {
  const before = await deliveryCounts();
  const outcomesAt = async (path: string, answer: (index: number) => number): Promise<string[]> => {
    receiver.reset();
    receiver.answer = (_request, index) => ({ status: answer(index) });
    const { id: endpoint } = await registerEndpoint(api, receiver.url(path));
    await uploadOne(api);
    const outcomes = (await settled(endpoint)).attempts.map((a: any) => a.outcome as string);
    await api.store.removeWebhookEndpoint(endpoint);
    return outcomes;
  };
  assert.equal(await outcomesAt('/flaky', (index) => (index === 0 ? 500 : 200)), ['retry', 'delivered']);
  const down = await outcomesAt('/down', () => 500);
  assert.equal(down, [...Array(down.length - 1).fill('retry'), 'failed'], 'retried on the schedule, then given up');
  assert.equal(await outcomesAt('/gone', () => 410), ['disabled']);

  const after = await deliveryCounts();
  const moved = Object.fromEntries(Object.entries(after).map(([name, n]) => [name, n - before[name]!]));
  assert.equal(moved, { latencies: 2 + down.length + 1, delivered: 1, retry: 1 + down.length - 1, failed: 1, disabled: 1 });
});

test.run();
