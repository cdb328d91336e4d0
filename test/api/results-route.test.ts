// The workers' results route (POST /internal/v1/results) on a real store: its body cap follows the
// largest result the store keeps, and a try's start sent again (its answer lost) counts once.
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import express from 'express';
import { pino } from 'pino';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { errorHandler } from '../../services/api/http-errors.js';
import { internalRoutes } from '../../services/api/internal-routes.js';
import { ApiMetrics } from '../../services/api/metrics.js';
import { resultIngester } from '../../services/api/result-ingest.js';
import type { Store } from '../../services/store/store.js';
import { StoreFixture, seed, submit } from '../support/store-fixtures.js';

const TOKEN = 'worker-token-for-tests';
const MiB = 1024 * 1024;
const fixture = new StoreFixture();
const servers: Server[] = [];
test.after.each(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
  await fixture.cleanup();
});

/** The workers' routes of `store` on a loopback port; returns a poster of result messages. */
async function resultsRoute(store: Store): Promise<(body: unknown) => Promise<{ status: number; code?: string; message?: string }>> {
  const logger = pino({ level: 'silent' });
  const metrics = new ApiMetrics({ jobCounts: async () => ({}), workerCount: async () => 0, workerSlots: async () => ({ slots: 0, free: 0 }), openSubmissions: async () => [] });
  const app = express();
  app.use(internalRoutes({ store, workerToken: TOKEN, ingest: resultIngester(store, metrics, logger) }));
  app.use(errorHandler(logger));
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/internal/v1/results`;
  return async (body) => {
    const response = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await response.text();
    if (!text) return { status: response.status };
    const { error } = JSON.parse(text) as { error: { code: string; message: string } };
    return { status: response.status, code: error.code, message: error.message };
  };
}

async function oneSubmission(store: Store): Promise<string> {
  return (await submit(store, await seed(store), { 'main.c': 'int main(){}' })).submission.id;
}

/** A `finished` message whose result carries `padding` characters of output. */
function finished(submissionId: string, padding: number): object {
  return {
    type: 'finished', submissionId, gradeNumber: 1, incidents: [],
    result: {
      score: 1, max_score: 1, verdict: 'AC', gradable: true, tests: [{ name: 't', verdict: 'AC', output: 'x'.repeat(padding) }],
      provenance: { grader_digest: 'a'.repeat(64) },
    },
  };
}

test('the body cap follows the store: a result it would refuse is refused by the store, a body past the cap by the route', async () => {
  const store = await fixture.open(undefined, { maxJsonBytes: 4096 });
  const post = await resultsRoute(store);
  const id = await oneSubmission(store);
  const overStore = await post(finished(id, 8000));
  assert.equal([overStore.status, overStore.code], [413, 'E_TOO_LARGE']);
  assert.match(overStore.message ?? '', /result is larger than 4096 bytes/, 'read, then refused by the store');
  const overRoute = await post(finished(id, 2 * MiB));
  assert.equal([overRoute.status, overRoute.code], [413, 'E_TOO_LARGE']);
  assert.match(overRoute.message ?? '', /request entity too large/, 'not even read');
  assert.is((await store.getSubmission(id))?.status, 'queued', 'nothing stored');
  assert.equal(await post(finished(id, 100)), { status: 204 });
  assert.is((await store.getSubmission(id))?.status, 'graded');
});

test('a store that keeps larger results than the default gets them through the route', async () => {
  const store = await fixture.open(undefined, { maxJsonBytes: 12 * MiB });
  const post = await resultsRoute(store);
  const id = await oneSubmission(store);
  assert.equal(await post(finished(id, 10 * MiB)), { status: 204 });
  assert.is((await store.getSubmission(id))?.status, 'graded');
});

test('a start sent again after its answer was lost counts one attempt and one running event', async () => {
  const store = await fixture.open();
  const post = await resultsRoute(store);
  const id = await oneSubmission(store);
  const started = { type: 'started', submissionId: id, gradeNumber: 1, workerId: 'worker-a', attempt: 1 };
  assert.is((await post(started)).status, 204);
  assert.is((await post(started)).status, 204, 'accepted again: the worker stops sending it');
  assert.is((await post({ ...finished(id, 10), started: { workerId: 'worker-a', attempt: 1 } })).status, 204);
  assert.is((await store.getSubmission(id))?.attempts, 1);
  assert.equal((await store.listEvents(id)).map((e) => e.type), ['queued', 'running', 'graded']);
});

test.run();
