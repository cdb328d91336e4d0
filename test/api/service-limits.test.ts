// The service's limits over HTTP on the real API (store, Redis, loopback; no workers, so a
// submission's stream stays open): uploads and regrades per course key (429 with Retry-After,
// counted in Redis across API processes, in memory while Redis is away), open event streams per
// key, a stream's longest life (resumed with Last-Event-ID), and /metrics behind the operators' token.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { pino } from 'pino';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { startApiService } from '../../services/api/api-service.js';
import { uploadSubmission } from '../../services/bench/portal-client.js';
import type { PrivateRedis } from '../../services/queue/private-redis.js';
import { removeTempDirs, tempDir } from '../support/helpers.js';
import { privateRedis, until } from '../support/queue-fixtures.js';
import { ASSIGNMENT, COURSE, getJson, parseEvents, postResult, startTestApi, uploadOne, type TestApi } from '../support/api-fixtures.js';

let redis: PrivateRedis;
const started: TestApi[] = [];
const streams: AbortController[] = [];

test.before(async () => {
  redis = await privateRedis();
});
test.after.each(async () => {
  for (const stream of streams.splice(0)) stream.abort();
  for (const api of started.splice(0)) await api.service.close();
});
test.after(async () => {
  await redis?.stop();
  removeTempDirs();
});

async function api(options: Parameters<typeof startTestApi>[1] = {}, on = redis): Promise<TestApi> {
  const service = await startTestApi(on, options);
  started.push(service);
  return service;
}

async function submissionCount(service: TestApi): Promise<number> {
  return (await service.store.listSubmissions({ courseId: COURSE })).length;
}

/** Opens the submission's event stream and reads its head; the caller aborts it. */
async function openStream(service: { url: string; key: string }, id: string): Promise<Response> {
  const controller = new AbortController();
  streams.push(controller);
  return fetch(`${service.url}/v1/submissions/${id}/events`, { headers: { authorization: `Bearer ${service.key}` }, signal: controller.signal });
}

function retryAfter(response: { headers: Headers }): number {
  const seconds = Number(response.headers.get('retry-after'));
  assert.ok(Number.isInteger(seconds) && seconds >= 1 && seconds <= 60, `Retry-After: ${response.headers.get('retry-after')}`);
  return seconds;
}

test('upload-flood: uploads past the key\'s limit get 429 with Retry-After and store nothing; counted across API processes; another key counts apart', async () => {
  const first = await api({ limits: { uploadsPerMinute: 3 } });
  const second = await api({ limits: { uploadsPerMinute: 3 }, sameAs: first });
  await uploadOne(first);
  await uploadOne(second);
  await uploadOne(first);
  for (const service of [first, second]) {
    const refused = await uploadSubmission(service, { assignment: ASSIGNMENT, student: 'ada' }, { 'main.c': 'int main(void){}' });
    assert.equal([refused.status, refused.body.error?.code], [429, 'E_RATE_LIMITED'], JSON.stringify(refused.body));
    assert.match(refused.body.error!.message, /3 uploads a minute/);
  }
  const seen = await fetch(`${first.url}/v1/submissions`, { method: 'POST', headers: { authorization: `Bearer ${first.key}`, 'content-type': 'multipart/form-data; boundary=x' }, body: '--x--\r\n' });
  assert.is(seen.status, 429);
  retryAfter(seen);
  assert.is(await submissionCount(first), 3, 'the refused uploads stored nothing');
  const otherKey = (await first.store.createApiKey(COURSE)).secret;
  await uploadOne({ url: first.url, key: otherKey });
});

test('regrade-flood: regrades past the key\'s limit get 429 with Retry-After', async () => {
  const service = await api({ limits: { regradesPerMinute: 2 } });
  const id = await uploadOne(service);
  const regrade = () => fetch(`${service.url}/v1/submissions/${id}/regrade`, { method: 'POST', headers: { authorization: `Bearer ${service.key}` } });
  assert.is((await regrade()).status, 202);
  assert.is((await regrade()).status, 202);
  const refused = await regrade();
  assert.is(refused.status, 429);
  retryAfter(refused);
  assert.is(((await refused.json()) as { error: { code: string } }).error.code, 'E_RATE_LIMITED');
  assert.is((await service.store.getSubmission(id))?.gradeNumber, 3, 'the refused regrade asked for nothing');
});

test('stream-hoarding: a key holds at most its share of open event streams; a closed one frees its slot; another key has its own', async () => {
  const service = await api({ limits: { streamsPerKey: 2 } });
  const id = await uploadOne(service);
  const open = [await openStream(service, id), await openStream(service, id)];
  assert.equal(open.map((r) => r.status), [200, 200]);
  const third = await openStream(service, id);
  assert.is(third.status, 429);
  assert.is(retryAfter(third), 10);
  assert.is(((await third.json()) as { error: { code: string } }).error.code, 'E_TOO_MANY_STREAMS');
  const otherKey = (await service.store.createApiKey(COURSE)).secret;
  const own = await openStream({ url: service.url, key: otherKey }, await uploadOne({ url: service.url, key: otherKey }));
  assert.is(own.status, 200);
  streams[0]!.abort();
  await until(async () => {
    const next = await openStream(service, id);
    return next.status === 200;
  }, 5000, 'a slot freed by the closed stream');
});

test('a stream ends cleanly after its longest life; resumed with Last-Event-ID, it goes on from there', async () => {
  const service = await api({ limits: { streamMaxSeconds: 1 } });
  const id = await uploadOne(service);
  const began = Date.now();
  const first = await (await openStream(service, id)).text();
  const took = Date.now() - began;
  assert.ok(took >= 900 && took < 5000, `ended after ${took} ms`);
  assert.equal(parseEvents(first).map((e) => [e.id, e.type]), [[1, 'queued']]);
  assert.match(first, /reconnect with Last-Event-ID/);
  await postResult(service, { type: 'started', submissionId: id, gradeNumber: 1, workerId: 'w', attempt: 1 });
  await postResult(service, { type: 'failed', submissionId: id, gradeNumber: 1, reason: 'sandbox gone', userError: false });
  const resumed = await fetch(`${service.url}/v1/submissions/${id}/events`, { headers: { authorization: `Bearer ${service.key}`, 'last-event-id': '1' } });
  assert.equal(parseEvents(await resumed.text()).map((e) => [e.id, e.type]), [[2, 'running'], [3, 'error']]);
});

test('metrics-scrape: /metrics refuses no token, the course key and a wrong token; the operators\' token gets the metrics', async () => {
  const service = await api();
  const token = readFileSync(join(service.dataDir, 'operator-token'), 'utf8').trim();
  const scrape = (auth?: string) => fetch(`${service.url}/metrics`, auth ? { headers: { authorization: `Bearer ${auth}` } } : {});
  for (const auth of [undefined, service.key, `${token}x`, service.workerToken]) {
    const refused = await scrape(auth);
    assert.is(refused.status, 401);
    assert.not.match(await refused.text(), 'gradebox_', 'no metric in a refusal');
  }
  const allowed = await scrape(token);
  assert.is(allowed.status, 200);
  assert.match(await allowed.text(), /gradebox_jobs_graded_total/);
});

test('a configured operators\' token is the one; none is made in the data folder; one too short is refused at start', async () => {
  const configured = 'a-configured-operator-token-42';
  const service = await api({ operatorToken: configured });
  assert.not.ok(existsSync(join(service.dataDir, 'operator-token')));
  assert.is((await fetch(`${service.url}/metrics`, { headers: { authorization: `Bearer ${configured}` } })).status, 200);
  const refusal = await startApiService({ dataDir: tempDir(), redisUrl: redis.url, port: 0, logger: pino({ level: 'silent' }), operatorToken: 'short' })
    .then(() => null, (e: unknown) => e as { code?: string });
  assert.is(refusal?.code, 'E_OPERATOR_TOKEN');
});

test('redis-away: uploads are still accepted, held to the limit in memory; /readyz names Redis and no address', async () => {
  const own = await privateRedis();
  const service = await api({ limits: { uploadsPerMinute: 2 } }, own);
  await own.stop();
  await until(async () => (await fetch(`${service.url}/readyz`)).status === 503, 10_000, 'the API to see Redis gone');
  const ready = await getJson(service, '/readyz');
  assert.match(ready.body.error.message, /redis/);
  assert.not.match(JSON.stringify(ready.body), own.socketPath, 'no socket path');
  assert.not.match(JSON.stringify(ready.body), 'ECONNREFUSED');
  await uploadOne(service, 'r1');
  await uploadOne(service, 'r2');
  const refused = await uploadSubmission(service, { assignment: ASSIGNMENT, student: 'r3' }, { 'main.c': 'x' });
  assert.equal([refused.status, refused.body.error?.code], [429, 'E_RATE_LIMITED']);
  assert.is(await submissionCount(service), 2);
  const token = readFileSync(join(service.dataDir, 'operator-token'), 'utf8').trim();
  const metrics = await fetch(`${service.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  assert.is(metrics.status, 200, 'a scrape still answers');
  assert.match(await metrics.text(), /gradebox_jobs_graded_total/);
});

test('the OpenAPI document has the routes these tests call, their 429s and the operators\' token', async () => {
  const service = await api();
  const doc = (await getJson(service, '/openapi.json')).body as { paths: Record<string, Record<string, { responses: Record<string, unknown>; security?: unknown[] }>> };
  const limited: Array<[string, string]> = [['/v1/submissions', 'post'], ['/v1/submissions/{id}/regrade', 'post'], ['/v1/submissions/{id}/events', 'get']];
  for (const [path, method] of limited) assert.ok('429' in doc.paths[path]![method]!.responses, `${method} ${path} 429`);
  assert.ok(doc.paths['/v1/assignments/{name}']?.patch, 'PATCH /v1/assignments/{name}');
  assert.equal(doc.paths['/metrics']!.get!.security, [{ operatorToken: [] }]);
  assert.ok(doc.paths['/operator/v1/submissions/{id}']?.get);
});

test.run();
