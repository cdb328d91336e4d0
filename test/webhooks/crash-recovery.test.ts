// A crash loses no webhook, through a real `gradebox api` process killed with SIGKILL: an event
// committed while Redis is away (its delivery only in the store) arrives after Redis and the API
// are back; and a delivery waiting in Redis for its retry arrives after the API restarts, with the
// webhook-id of its first attempt. Every delivery is verified with the standardwebhooks package.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { giveTree } from '../../services/account/give-tree.js';
import { lookUpServiceUser } from '../../services/account/service-user.js';
import { CLI, freePort } from '../../services/bench/local-service.js';
import { uploadSubmission } from '../../services/bench/portal-client.js';
import { config } from '../../services/common/config.js';
import { fromPackageRoot } from '../../services/common/package-root.js';
import { connectRedis, waitForRedis } from '../../services/queue/redis-connection.js';
import { startPrivateRedis, type PrivateRedis } from '../../services/queue/private-redis.js';
import { removeTempDirs, tempDir } from '../support/helpers.js';
import { until } from '../support/queue-fixtures.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';
import { verified } from './webhook-fixtures.js';

const ACCEPTED_C = readFileSync(fromPackageRoot('graders', 'sum-c', 'submissions', 'accepted.c'));
const user = lookUpServiceUser(config().serviceUser);
const redisDir = tempDir('gradebox-whr-');
const dataDir = tempDir('gradebox-whd-');
let redis: PrivateRedis | null = null;
let receiver: WebhookReceiver;
let api: ChildProcess | null = null;
let port: number;
let output = '';

/** `gradebox api` on `port` with the test's Redis; the retry schedule is 2 s between attempts. */
async function startApi(firstRun = false): Promise<void> {
  const child = spawn(process.execPath, [CLI, 'api', '--port', String(port), '--data', dataDir, ...(firstRun ? ['--first-run'] : [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, REDIS_URL: redis!.url, GRADEBOX_WEBHOOK_ALLOW_NETWORKS: '127.0.0.0/8', GRADEBOX_WEBHOOK_RETRY_SCHEDULE: '0,2s,2s,2s' },
  });
  child.stdout!.on('data', (chunk: Buffer) => { output += chunk; });
  child.stderr!.on('data', (chunk: Buffer) => { output += chunk; });
  api = child;
  await until(async () => {
    if (child.exitCode !== null) throw new Error(`gradebox api ended: ${output}`);
    return fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
  }, 30_000, 'gradebox api listening');
}

async function killApi(): Promise<void> {
  const child = api!;
  api = null;
  if (child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

async function startRedis(): Promise<void> {
  redis = await startPrivateRedis({ dir: redisDir, uid: user.uid, gid: user.gid });
}

test.before(async () => {
  mkdirSync(redisDir, { recursive: true });
  giveTree(redisDir, user);
  await startRedis();
  receiver = await WebhookReceiver.start();
  port = await freePort();
});
test.after(async () => {
  if (api) await killApi();
  await receiver?.close();
  await redis?.stop();
  removeTempDirs();
});

test('killed after committing events it could not relay or deliver, the API loses none of them', async () => {
  await startApi(true);
  const key = /shown once; gradebox keys create --course demo makes more\):\n(\S+)\n/.exec(output)?.[1];
  assert.ok(key, 'the demo course key');
  const service = { url: `http://127.0.0.1:${port}`, key: key! };
  const registered = await fetch(`${service.url}/v1/webhooks/endpoints`, {
    method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ url: receiver.url(), events: ['submission.queued'] }),
  });
  assert.is(registered.status, 201);
  const { id: endpoint, secret } = await registered.json() as { id: string; secret: string };

  // 1. The event is committed while Redis is away: its delivery exists only in the store.
  await redis!.stop();
  redis = null;
  const whileAway = await uploadSubmission(service, { assignment: 'sum-c', student: 'crash-1' }, { 'main.c': ACCEPTED_C });
  assert.is(whileAway.status, 202);
  await killApi();
  assert.is(receiver.received.length, 0, 'nothing could be sent before the kill');
  await startRedis();
  await startApi();
  const [first] = await receiver.waitFor(1, 20_000, 'the delivery committed before the kill');
  assert.equal([verified(first!, secret).type, verified(first!, secret).data.id], ['submission.queued', whileAway.body.id]);

  // 2. The delivery failed once and waits in Redis for its retry when the API is killed.
  receiver.answer = (_request, index) => (index === 1 ? { status: 503 } : { status: 204 });
  const retried = await uploadSubmission(service, { assignment: 'sum-c', student: 'crash-2' }, { 'main.c': ACCEPTED_C });
  const [, failed] = await receiver.waitFor(2, 20_000, 'the first attempt');
  const probe = connectRedis(redis!.url, { profile: 'api' });
  try {
    await waitForRedis(probe, 5000);
    await until(async () => (await probe.zcard('gradebox:webhooks:delayed')) === 1, 10_000, 'the retry waiting in Redis');
  } finally {
    probe.disconnect();
  }
  await killApi();
  await startApi();
  const [, , again] = await receiver.waitFor(3, 20_000, 'the retry after the restart');
  assert.is(again!.headers['webhook-id'], failed!.headers['webhook-id'], 'the same message');
  assert.is(verified(again!, secret).data.id, retried.body.id);
  type Log = { deliveries: Array<{ state: string; attempts: Array<{ status: number; outcome: string }> }> };
  const newestDelivery = async () => ((await (await fetch(`${service.url}/v1/webhooks/endpoints/${endpoint}/deliveries`, { headers: { authorization: `Bearer ${key}` } })).json()) as Log).deliveries[0];
  // The receiver has the request before the API has logged its answer.
  await until(async () => (await newestDelivery())?.state !== 'pending', 5000, 'the answer logged');
  const newest = await newestDelivery();
  assert.equal([newest!.state, newest!.attempts.map((a) => [a.status, a.outcome])], ['delivered', [[503, 'retry'], [204, 'delivered']]]);
});

test.run();
