// Webhooks through an API whose store is PostgreSQL: an event's delivery written with it, relayed
// and delivered, verified with the standardwebhooks reference library; a redelivery with the same
// webhook-id; an inbound webhook sent twice at once making one submission. (The store's webhook
// operations are tested one by one on both backends in test/store/webhooks.test.ts.)
import { Webhook } from 'standardwebhooks';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { lookUpServiceUser } from '../../services/account/service-user.js';
import { postgresBinDir, startPrivatePostgres, type PrivatePostgres } from '../../services/bench/private-postgres.js';
import { config } from '../../services/common/config.js';
import type { PrivateRedis } from '../../services/queue/private-redis.js';
import { ASSIGNMENT, COURSE, postResult, startTestApi, uploadOne, type TestApi } from '../support/api-fixtures.js';
import { removeTempDirs } from '../support/helpers.js';
import { privateRedis, until } from '../support/queue-fixtures.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';
import { callApi, gradeResult, registerEndpoint, verified } from './webhook-fixtures.js';

const installed = postgresBinDir() !== null;
let server: PrivatePostgres;
let redis: PrivateRedis;
let api: TestApi;
let receiver: WebhookReceiver;

test.before(async () => {
  if (!installed) return;
  server = await startPrivatePostgres(lookUpServiceUser(config().serviceUser));
  redis = await privateRedis();
  receiver = await WebhookReceiver.start();
  api = await startTestApi(redis, { databaseUrl: await server.createDatabase(), webhooks: { allowNetworks: ['127.0.0.0/8'], retryScheduleMs: [0, 100], relayIntervalMs: 50 } });
});
test.after(async () => {
  await api?.service.close();
  await receiver?.close();
  await redis?.stop();
  await server?.stop();
  removeTempDirs();
});

function pgTest(name: string, body: () => Promise<void>): void {
  test(name, async () => {
    if (!installed) {
      process.stdout.write(`skipped (PostgreSQL is not installed): ${name}\n`);
      return;
    }
    await body();
  });
}

pgTest('an upload and its grading are delivered, signed; a redelivery carries the same webhook-id', async () => {
  const { id: endpoint, secret } = await registerEndpoint(api, receiver.url());
  const id = await uploadOne(api);
  assert.is(await postResult(api, { type: 'finished', submissionId: id, gradeNumber: 1, incidents: [], result: gradeResult([{ name: 'a', verdict: 'AC' }]) }), 204);
  const requests = await receiver.waitFor(2, 10_000);
  const payloads = requests.map((r) => verified(r, secret));
  assert.equal(payloads.map((p) => [p.type, p.data.id]).sort(), [['submission.graded', id], ['submission.queued', id]]);
  // The receiver has the request before the API has logged its answer.
  const delivered = async () => (await callApi(api, 'GET', `/v1/webhooks/endpoints/${endpoint}/deliveries`)).body.deliveries;
  await until(async () => (await delivered()).every((d: any) => d.state === 'delivered'), 10_000, 'both logged as delivered');
  const log = await delivered();
  assert.equal(log.map((d: any) => [d.state, d.attempts.length]), [['delivered', 1], ['delivered', 1]]);
  const again = await callApi(api, 'POST', `/v1/webhooks/endpoints/${endpoint}/deliveries/${log[0].message_id}/redeliver`);
  assert.is(again.status, 202);
  const [redelivered] = (await receiver.waitFor(3, 10_000)).slice(2);
  assert.is(redelivered!.headers['webhook-id'], log[0].message_id);
});

pgTest('an inbound webhook sent twice at once makes one submission', async () => {
  const { body: integration } = await callApi(api, 'POST', '/v1/webhooks/integrations', { label: 'Canvas' });
  const body = JSON.stringify({ type: 'submission.create', data: { assignment: ASSIGNMENT, student: 'grace', files: [{ path: 'main.c', content_base64: Buffer.from('int main(){}').toString('base64') }] } });
  const at = new Date();
  const headers = { 'content-type': 'application/json', 'webhook-id': 'lms-1', 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': new Webhook(integration.secret).sign('lms-1', at, body) };
  const answers = await Promise.all([1, 2].map(() => fetch(`${api.url}${integration.path}`, { method: 'POST', headers, body }).then(async (r) => [r.status, ((await r.json()) as { id: string }).id])));
  assert.equal(answers.map(([status]) => status), [202, 202]);
  assert.is(answers[0]![1], answers[1]![1]);
  assert.is((await api.store.listSubmissions({ courseId: COURSE, student: 'grace' })).length, 1);
});

test.run();
