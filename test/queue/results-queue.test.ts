// Worker → API messages: validated on both ends, durable while no consumer runs, redelivered when the handler fails.
import { Queue } from 'bullmq';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { InternalError } from '../../services/common/errors.js';
import { consumeResults, ResultsPublisher, type ResultMessage } from '../../services/queue/results-queue.js';
import { rejectionOf } from '../helpers.js';
import { connection, randomPrefix, ResultLog, sleep, until, useRedisServer } from './queue-fixtures.js';

const redisServer = useRedisServer(test);
const closers = redisServer.closers;

const DIGEST = 'c'.repeat(64);

function finished(submissionId: string): ResultMessage {
  return {
    type: 'finished', submissionId, gradeNumber: 1, incidents: [],
    result: { score: 3, max_score: 3, verdict: 'AC', gradable: true, tests: [{ name: 't1', verdict: 'AC' }], provenance: { grader_digest: DIGEST } } as never,
  };
}

async function setup(): Promise<{ publisher: ResultsPublisher; prefix: string }> {
  const prefix = randomPrefix();
  const publisher = new ResultsPublisher({ connection: await connection(redisServer.server(), 'worker'), prefix });
  closers.push(() => publisher.close());
  return { publisher, prefix };
}

async function consume(prefix: string, handler: (m: ResultMessage) => Promise<void>, onError?: (e: Error) => void): Promise<void> {
  const consumer = consumeResults({ connection: await connection(redisServer.server(), 'worker'), prefix, onError }, handler);
  closers.push(() => consumer.close());
}

test('messages published before the API runs are delivered once it does, extra fields of the result intact', async () => {
  const { publisher, prefix } = await setup();
  await publisher.publish({ type: 'started', submissionId: 's1', gradeNumber: 1, workerId: 'host:1', attempt: 1 });
  await publisher.publish(finished('s1'));
  await publisher.publish({ type: 'failed', submissionId: 's2', gradeNumber: 1, reason: 'no source file', userError: true });
  const log = new ResultLog();
  await consume(prefix, log.handler);
  await until(() => log.deliveries.length === 3, 5000, 'three deliveries');
  assert.equal(log.deliveries.map((m) => m.type), ['started', 'finished', 'failed']);
  const outcome = log.outcome('s1');
  assert.is(outcome?.type, 'finished');
  if (outcome?.type === 'finished') assert.is((outcome.result.tests[0] as { name: string }).name, 't1');
});

test('an invalid message is refused when published', async () => {
  const { publisher } = await setup();
  const error = await rejectionOf(publisher.publish({ type: 'started', submissionId: 's 1', gradeNumber: 1, workerId: 'w', attempt: 1 }), 'a bad id');
  assert.instance(error, InternalError);
  assert.match((error as Error).message, /submissionId/);
  const noResult = await rejectionOf(publisher.publish({ ...finished('s1'), result: { score: 1 } } as never), 'a result without a verdict');
  assert.match((noResult as Error).message, /result\.max_score|result\.verdict/);
});

test('an invalid message on the queue fails for good with its reason; the consumer goes on', async () => {
  const { publisher, prefix } = await setup();
  const raw = new Queue('results', { connection: await connection(redisServer.server(), 'worker'), prefix });
  closers.push(() => raw.close());
  await raw.add('finished', { type: 'finished', submissionId: 'x', gradeNumber: 1 }, { jobId: 'bad', attempts: 5 });
  await publisher.publish(finished('s3'));
  const log = new ResultLog();
  const errors: Error[] = [];
  await consume(prefix, log.handler, (e) => errors.push(e));
  await until(() => log.deliveries.length === 1, 5000, 'the good message');
  const bad = await raw.getJob('bad');
  await until(async () => (await bad!.getState()) === 'failed', 5000, 'the bad message to fail');
  assert.match((await raw.getJob('bad'))!.failedReason, /result message is invalid: result/);
  assert.is((await raw.getJob('bad'))!.attemptsMade, 1, 'not retried');
  assert.is(log.outcome('s3')?.type, 'finished');
});

test('a failing handler gets the message again; the same finished message published twice arrives once', async () => {
  const { publisher, prefix } = await setup();
  let calls = 0;
  const log = new ResultLog();
  await consume(prefix, async (message) => {
    calls += 1;
    if (calls === 1) throw new Error('store is restarting');
    await log.handler(message);
  });
  await publisher.publish(finished('s4'));
  await publisher.publish(finished('s4')); // a worker recovered after a crash sends it again
  await until(() => log.deliveries.length === 1, 10_000, 'the retried delivery');
  await sleep(300);
  assert.is(calls, 2);
  assert.is(log.deliveries.length, 1);
});

test.run();
