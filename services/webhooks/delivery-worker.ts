// The BullMQ worker that makes delivery attempts, in the API process (the API already holds the
// store; sending HTTP requests needs no privilege). Each job is one attempt; a failed attempt
// with attempts left throws RetryLater, whose delay (decided by the attempt: the schedule,
// jitter, Retry-After) becomes the job's backoff, so the wait survives a restart in Redis.
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';

import { attemptDelivery, type AttemptContext } from './delivery-attempt.js';
import { DELIVERY_BACKOFF, WEBHOOK_QUEUE, type DeliveryJob } from './webhook-queue.js';

/** Thrown by a job whose attempt failed and is to be made again after `delayMs`. */
export class RetryLater extends Error {
  override readonly name = 'RetryLater';
  constructor(readonly delayMs: number) {
    super(`attempt failed; the next in ${delayMs} ms`);
  }
}

/** The wait after an attempt that failed in the worker itself (the store busy): the job's next attempt, a little later. */
const INTERNAL_RETRY_MS = 5000;

export function startDeliveryWorker(context: AttemptContext, connection: Redis, prefix: string): Worker<DeliveryJob> {
  const worker = new Worker<DeliveryJob>(WEBHOOK_QUEUE, async (job: Job<DeliveryJob>) => {
    const result = await attemptDelivery(context, job.data.deliveryId, job.data.round, job.attemptsMade + 1);
    if (result) throw new RetryLater(Math.max(0, result.retryInMs));
  }, {
    connection, prefix, concurrency: context.settings.concurrency,
    settings: {
      backoffStrategy: (_attempts, type, error) => (type === DELIVERY_BACKOFF && error instanceof RetryLater ? error.delayMs : INTERNAL_RETRY_MS),
    },
  });
  worker.on('failed', (job, error) => {
    if (!(error instanceof RetryLater)) context.logger.error({ err: error, job: job?.id }, 'webhook delivery job failed');
  });
  worker.on('error', (error) => context.logger.warn({ err: error }, 'webhook worker'));
  return worker;
}
