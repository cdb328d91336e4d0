// The workers' grader route (GET /internal/v1/graders/:digest) on a real store: it serves the
// snapshot `assignments add` stored, byte for byte, never a folder; a worker's HttpBackend unpacks
// it into a grader with that digest. An unknown digest (or an assignment from before snapshots) is a 404.
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import express from 'express';
import { pino } from 'pino';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { errorHandler } from '../../services/api/http-errors.js';
import { internalRoutes } from '../../services/api/internal-routes.js';
import { fromPackageRoot } from '../../services/common/package-root.js';
import { loadGrader } from '../../services/grading/load-grader.js';
import { snapshotGrader } from '../../services/grading/grader-snapshot.js';
import type { Store } from '../../services/store/store.js';
import { HttpBackend } from '../../services/worker/http-backend.js';
import { removeTempDirs, tempDir } from '../support/helpers.js';
import { StoreFixture, sha256 } from '../support/store-fixtures.js';

const TOKEN = 'worker-token-for-tests';
const fixture = new StoreFixture();
const servers: Server[] = [];
test.after.each(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
  await fixture.cleanup();
  removeTempDirs();
});

async function internalApi(store: Store): Promise<string> {
  const logger = pino({ level: 'silent' });
  const app = express();
  app.use(internalRoutes({ store, workerToken: TOKEN, ingest: async () => {} }));
  app.use(errorHandler(logger));
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

test('the stored snapshot is served byte for byte, and a worker unpacks it into a grader with its digest', async () => {
  const store = await fixture.open();
  for (const name of ['sum-c', 'two-sum-python']) {
    const made = await snapshotGrader(fromPackageRoot('graders', name), 1024 * 1024);
    await store.addGraderSnapshot(made);
    const url = await internalApi(store);
    const response = await fetch(`${url}/internal/v1/graders/${made.digest}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.is(response.status, 200, name);
    assert.is(response.headers.get('content-type'), 'application/x-tar');
    assert.equal(Buffer.from(await response.arrayBuffer()), made.tar, `${name}: the stored tar itself`);
    const backend = new HttpBackend({ apiUrl: url, token: TOKEN, cacheDir: tempDir() });
    assert.is(loadGrader(await backend.graderDir(made.digest)).digest, made.digest, name);
  }
});

test('no snapshot for the digest (never stored, or an assignment added before snapshots): 404 saying to add it again; no token: 401', async () => {
  const store = await fixture.open();
  const url = await internalApi(store);
  const get = (digest: string, token = TOKEN) => fetch(`${url}/internal/v1/graders/${digest}`, { headers: { authorization: `Bearer ${token}` } });
  const unknown = await get(sha256('never stored'));
  assert.is(unknown.status, 404);
  assert.match(((await unknown.json()) as { error: { message: string } }).error.message, /must be added again \(gradebox assignments add\)/);
  assert.is((await get('../../etc/passwd')).status, 404);
  assert.is((await get(sha256('x'), 'wrong')).status, 401);
});

test.run();
