// The grading queue: validated and idempotent enqueues, fair share between courses, regrades last,
// fail-fast when Redis is away, counts for metrics.
import { join } from 'node:path';

import { Worker, type Job } from 'bullmq';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { InternalError, UserError } from '../../services/common/errors.js';
import type { GradingJob } from '../../services/protocol/grading-job.js';
import { FairShare, REGRADE_OFFSET } from '../../services/queue/fair-share.js';
import { GradingQueue } from '../../services/queue/grading-queue.js';
import { startPrivateRedis } from '../../services/queue/private-redis.js';
import { connectRedis, waitForRedis } from '../../services/queue/redis-connection.js';
import { rejectionOf, tempDir } from '../support/helpers.js';
import { connection, gradingJob, privateRedis, randomPrefix, until, useRedisServer, JOB_KEY } from '../support/queue-fixtures.js';

const redisServer = useRedisServer(test);
const closers = redisServer.closers;

async function newQueue(): Promise<GradingQueue> {
  const queue = new GradingQueue({ connection: await connection(redisServer.server(), 'api'), prefix: randomPrefix(), jobKey: JOB_KEY });
  closers.push(() => queue.close());
  return queue;
}

/** A real BullMQ worker (one job at a time) that records the order jobs start in and does what the grading worker does on start. */
async function recordStarts(queue: GradingQueue): Promise<string[]> {
  const redis = await connection(redisServer.server(), 'worker');
  const fairShare = new FairShare(redis, { keyBase: queue.queue.qualifiedName });
  const order: string[] = [];
  const worker = new Worker(queue.queue.name, async (job: Job<GradingJob>) => {
    await fairShare.release(job.data, job.id!);
    order.push(job.id!);
  }, { connection: redis, prefix: queue.queue.opts.prefix, concurrency: 1 });
  closers.push(() => worker.close());
  return order;
}

test('a bad payload is refused before it reaches Redis, naming the field', async () => {
  const queue = await newQueue();
  for (const [bad, field] of [
    [{ gradeNumber: 0 }, /gradeNumber/], [{ submissionId: '../etc' }, /submissionId: must be 1 to 128 letters/],
    [{ graderDigest: 'abc' }, /graderDigest: must be a sha256/], [{ kind: 'rush' }, /kind/], [{ enqueuedAt: 'yesterday' }, /enqueuedAt/],
  ] as const) {
    const error = await rejectionOf(queue.enqueue(gradingJob(bad as Partial<GradingJob>)), JSON.stringify(bad));
    assert.instance(error, UserError);
    assert.is((error as UserError).code, 'E_JOB_PAYLOAD');
    assert.match((error as Error).message, field);
  }
  const extra = await rejectionOf(queue.enqueue({ ...gradingJob(), priority: 1 } as GradingJob), 'an unknown key');
  assert.match((extra as Error).message, /priority|Unrecognized key/);
  const counts = await queue.counts();
  assert.is(Object.values(counts).reduce((a, b) => a + b, 0), 0);
});

test('the same (submission, grade number) twice is one job', async () => {
  const queue = await newQueue();
  const first = await queue.enqueue(gradingJob({ submissionId: 's1', gradeNumber: 2 }));
  const again = await queue.enqueue(gradingJob({ submissionId: 's1', gradeNumber: 2, enqueuedAt: new Date(Date.now() + 5000).toISOString() }));
  assert.equal([first.jobId, first.added], ['s1.2', true]);
  assert.equal([again.jobId, again.added, again.priority], ['s1.2', false, null]);
  const other = await queue.enqueue(gradingJob({ submissionId: 's1', gradeNumber: 3 }));
  assert.is(other.added, true);
  assert.is((await queue.counts()).prioritized, 2);
  const job = await queue.queue.getJob('s1.2');
  assert.is(job?.data.gradeNumber, 2);
  assert.is(job?.opts.attempts, 3);
});

test('fair share: 50 jobs of course A, then 3 of course B; B starts before most of A', async () => {
  const queue = await newQueue();
  const priorities: number[] = [];
  for (let i = 1; i <= 50; i++) priorities.push((await queue.enqueue(gradingJob({ submissionId: `a${i}`, courseId: 'A' }))).priority!);
  for (let i = 1; i <= 3; i++) priorities.push((await queue.enqueue(gradingJob({ submissionId: `b${i}`, courseId: 'B' }))).priority!);
  assert.equal(priorities.slice(0, 50), Array.from({ length: 50 }, (_, i) => i + 1), "A's n-th waiting job gets priority n");
  assert.equal(priorities.slice(50), [1, 2, 3]);
  const order = await recordStarts(queue);
  await until(() => order.length === 53, 20_000, 'all 53 jobs to start');
  const lastB = Math.max(...['b1.1', 'b2.1', 'b3.1'].map((id) => order.indexOf(id)));
  assert.ok(lastB < 8, `B's last job started at position ${lastB + 1}: ${order.slice(0, 10).join(' ')}`);
  assert.equal(order.filter((id) => id.startsWith('a')), Array.from({ length: 50 }, (_, i) => `a${i + 1}.1`), 'A keeps its own order');
  // Every started job left the waiting count: a new job of A is first in line again.
  assert.is((await queue.enqueue(gradingJob({ submissionId: 'a51', courseId: 'A' }))).priority, 1);
});

test('regrades run after every fresh submission', async () => {
  const queue = await newQueue();
  for (let i = 1; i <= 3; i++) {
    const { priority } = await queue.enqueue(gradingJob({ submissionId: `r${i}`, gradeNumber: 2, kind: 'regrade', courseId: 'A' }));
    assert.is(priority, REGRADE_OFFSET + i);
  }
  for (let i = 1; i <= 3; i++) await queue.enqueue(gradingJob({ submissionId: `f${i}`, courseId: 'C' }));
  const order = await recordStarts(queue);
  await until(() => order.length === 6, 10_000, 'all 6 jobs to start');
  assert.equal(order, ['f1.1', 'f2.1', 'f3.1', 'r1.2', 'r2.2', 'r3.2']);
});

test('counts by state and the number of workers, for metrics', async () => {
  const queue = await newQueue();
  assert.is(await queue.workerCount(), 0);
  await queue.enqueue(gradingJob({ submissionId: 'c1' }));
  await queue.enqueue(gradingJob({ submissionId: 'c2' }));
  assert.equal(await queue.counts(), { waiting: 0, prioritized: 2, active: 0, delayed: 0, completed: 0, failed: 0 });
  const order = await recordStarts(queue);
  await until(() => order.length === 2, 10_000, 'both jobs to run');
  await until(async () => (await queue.counts()).completed === 2, 5000, 'both jobs to complete');
  assert.is(await queue.workerCount(), 1);
});

test('enqueue fails at once while Redis is down (the outbox keeps the job), and works when it is back', async () => {
  const own = await privateRedis();
  const redis = await connection(own, 'api');
  const queue = new GradingQueue({ connection: redis, prefix: randomPrefix(), jobKey: JOB_KEY });
  closers.push(async () => { await queue.close(); await own.stop(); });
  assert.is((await queue.enqueue(gradingJob({ submissionId: 'before' }))).added, true);
  await own.stop();
  const started = Date.now();
  const error = await rejectionOf(queue.enqueue(gradingJob({ submissionId: 'during' })), 'enqueue without Redis');
  assert.instance(error, InternalError);
  assert.is((error as InternalError).code, 'E_QUEUE_UNAVAILABLE');
  assert.ok(Date.now() - started < 500, `took ${Date.now() - started} ms`);
  const back = await startPrivateRedis({ dir: own.dir });
  closers.push(() => back.stop());
  await until(() => redis.status === 'ready', 5000, 'the API connection to come back');
  assert.is((await queue.enqueue(gradingJob({ submissionId: 'during' }))).added, true);
  assert.is((await queue.counts()).prioritized, 2, 'the job from before the outage survived it');
});

test('a queue made before Redis is up refuses at once, then works once Redis comes', async () => {
  const dir = tempDir('gbr-');
  const redis = connectRedis(`unix://${join(dir, 'redis.sock')}`, { profile: 'api', maxBackoffMs: 100 });
  const queue = new GradingQueue({ connection: redis, prefix: randomPrefix(), jobKey: JOB_KEY });
  closers.push(async () => { await queue.close(); redis.disconnect(); });
  const error = await rejectionOf(queue.enqueue(gradingJob({ submissionId: 'early' })), 'enqueue before Redis');
  assert.is((error as InternalError).code, 'E_QUEUE_UNAVAILABLE');
  const late = await startPrivateRedis({ dir });
  closers.push(() => late.stop());
  await waitForRedis(redis, 5000);
  assert.is((await queue.enqueue(gradingJob({ submissionId: 'early' }))).added, true);
  assert.is((await queue.counts()).prioritized, 1);
});

test.run();
