// Two API processes' outbox relays racing on one store (on each backend), with the real queue on a
// private Redis: every submission is enqueued once, by one relay (the claims keep them apart, before
// the queue's own job ids would), and the claims of a relay that died are taken over once they expire.
import { pino } from 'pino';
import * as assert from 'uvu/assert';

import { OutboxRelay } from '../../services/api/outbox-relay.js';
import type { PrivateRedis } from '../../services/queue/private-redis.js';
import { GradingQueue } from '../../services/queue/grading-queue.js';
import type { Store } from '../../services/store/store.js';
import { removeTempDirs } from '../support/helpers.js';
import { JOB_KEY, closeConnections, connection, privateRedis, randomPrefix, until } from '../support/queue-fixtures.js';
import { StoreFixture, backendTests, seed } from '../support/store-fixtures.js';

const fixture = new StoreFixture();
const test = backendTests(fixture, 'api/outbox-relay');
const closers: Array<() => Promise<void>> = [];
test.after.each(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  closeConnections();
  await fixture.cleanup();
  removeTempDirs();
});

const quiet = pino({ level: 'silent' });

/** `count` submissions of one small file each, queued in the store's outbox. */
async function submissions(store: Store, count: number): Promise<string[]> {
  const assignment = await seed(store);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const content = Buffer.from(`int main(void) { return ${i}; }\n`);
    const blob = await store.putBlob(content);
    ids.push((await store.createSubmission({ courseId: 'cs101', assignmentId: assignment.id, student: `s${i}`, files: [{ path: 'main.c', sha256: blob.sha256, size: blob.size }] })).submission.id);
  }
  return ids;
}

/** An API process's relay: its own store connection and queue; every enqueue it makes is counted by job id. */
async function relayOf(dir: string, redis: PrivateRedis, prefix: string, enqueued: string[], options: { batch?: number; leaseMs?: number } = {}): Promise<OutboxRelay> {
  const store = await fixture.open(dir);
  const queue = new GradingQueue({ connection: await connection(redis, 'api'), prefix, jobKey: JOB_KEY });
  const enqueue = queue.enqueue.bind(queue);
  queue.enqueue = async (job) => {
    const outcome = await enqueue(job);
    if (outcome.added) enqueued.push(outcome.jobId);
    return outcome;
  };
  const relay = new OutboxRelay(store, queue, quiet, { intervalMs: 50, ...options });
  closers.push(async () => { await relay.stop(); await queue.close(); });
  return relay;
}

async function jobsIn(redis: PrivateRedis, prefix: string): Promise<number> {
  const queue = new GradingQueue({ connection: await connection(redis, 'api'), prefix, jobKey: JOB_KEY });
  try {
    const counts = await queue.counts();
    return counts.waiting + counts.prioritized;
  } finally {
    await queue.close();
  }
}

test('two relays racing over 120 requests: each is enqueued once, by one of them; the outbox ends empty', async () => {
  const redis = await privateRedis();
  closers.push(() => redis.stop());
  const dir = fixture.dataDir();
  const store = await fixture.open(dir);
  const ids = await submissions(store, 120);
  const prefix = randomPrefix();
  const [byA, byB]: [string[], string[]] = [[], []];
  const a = await relayOf(dir, redis, prefix, byA, { batch: 10 });
  const b = await relayOf(dir, redis, prefix, byB, { batch: 10 });
  a.start();
  b.start();
  await until(async () => (await store.pendingOutbox(1)).length === 0, 30_000, 'the outbox to drain');
  assert.ok(byA.length > 0 && byB.length > 0, `both relays took part (${byA.length} and ${byB.length})`);
  const all = [...byA, ...byB].sort();
  assert.equal(all, ids.map((id) => `${id}.1`).sort(), 'every request enqueued, none twice');
  assert.is(await jobsIn(redis, prefix), 120);
});

test('a relay that died holding claims: the other sends those rows once the claims expire, and the rest at once', async () => {
  const redis = await privateRedis();
  closers.push(() => redis.stop());
  const dir = fixture.dataDir();
  const store = await fixture.open(dir);
  const ids = await submissions(store, 8);
  const dead = await fixture.open(dir);
  const held = await dead.claimOutbox(3, 1500); // claimed, never sent: its process died
  assert.equal(held.map((r) => r.submissionId), ids.slice(0, 3));
  const enqueued: string[] = [];
  const prefix = randomPrefix();
  const started = Date.now();
  (await relayOf(dir, redis, prefix, enqueued)).start();
  await until(() => enqueued.length >= 5, 10_000, 'the unclaimed rows');
  assert.equal(enqueued.slice(0, 5).sort(), ids.slice(3).map((id) => `${id}.1`).sort());
  await until(() => enqueued.length === 8, 10_000, 'the expired claims');
  assert.ok(Date.now() - started >= 1000, 'not before the claims expired');
  assert.equal([...enqueued].sort(), ids.map((id) => `${id}.1`).sort());
  assert.equal(await store.pendingOutbox(10), []);
});

test('claims: a claimed row is not claimed again until released or expired; a dispatched one is gone', async () => {
  const dir = fixture.dataDir();
  const store = await fixture.open(dir);
  const other = await fixture.open(dir);
  await submissions(store, 3);
  const first = await store.claimOutbox(2, 60_000);
  assert.is(first.length, 2);
  assert.equal((await other.claimOutbox(10, 60_000)).map((r) => r.id), [(await store.pendingOutbox(10))[2]!.id], 'only the unclaimed one');
  assert.equal(await other.claimOutbox(10, 60_000), [], 'nothing left to claim');
  await store.releaseOutbox([first[0]!.id]);
  await store.markOutboxDispatched(first[1]!.id);
  assert.equal((await other.claimOutbox(10, 60_000)).map((r) => r.id), [first[0]!.id], 'the released one, and not the dispatched one');
  assert.is((await store.pendingOutbox(10)).length, 2, 'claimed rows are still pending until dispatched');
});

test.run();
