// The durable queue of webhook deliveries (BullMQ, beside the grading queue under the same prefix):
// one job per delivery and round, retried on the delivery's schedule. Its id makes a job relayed
// twice (a crash between enqueue and marking it relayed) one job.
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';

import { InternalError } from '../common/errors.js';

export const WEBHOOK_QUEUE = 'webhooks';

/** A delivery to attempt; `round` counts its manual redeliveries. */
export interface DeliveryJob {
  deliveryId: number;
  round: number;
}

/** BullMQ refuses ":" in a job id. */
export const deliveryJobId = (job: DeliveryJob): string => `whd-${job.deliveryId}-${job.round}`;

/** The backoff type of delivery jobs: the worker's strategy reads the delay the attempt decided. */
export const DELIVERY_BACKOFF = 'webhook-schedule';

export class WebhookQueue {
  private bull: Queue | null = null;
  private readonly jobOptions: JobsOptions;

  /**
   * @param connection - the API's (fail fast: a relay round stops at once while Redis is away; the
   *   deliveries stay in the store). The caller owns it.
   * @param scheduleMs - the delay before each attempt: one job attempt per entry
   */
  constructor(private readonly connection: Redis, private readonly prefix: string, scheduleMs: readonly number[]) {
    this.jobOptions = {
      attempts: scheduleMs.length,
      delay: scheduleMs[0] ?? 0,
      backoff: { type: DELIVERY_BACKOFF },
      // Kept a day so a relay that sends a job again after a crash finds it; the log is the store's.
      removeOnComplete: { age: 86_400, count: 10_000 },
      removeOnFail: { age: 604_800, count: 10_000 },
    };
  }

  /** Made once Redis answers (as the grading queue's: a fail-fast queue made while Redis is away stays broken). */
  private get queue(): Queue {
    if (this.connection.status !== 'ready') throw new InternalError('E_QUEUE_UNAVAILABLE', `Redis is not reachable (connection ${this.connection.status}); the delivery stays in the store`);
    if (!this.bull) {
      const bull = new Queue(WEBHOOK_QUEUE, { connection: this.connection, prefix: this.prefix, skipWaitingForReady: true });
      bull.on('error', () => {}); // surfaces as a failed enqueue
      bull.waitUntilReady().catch(() => {
        if (this.bull === bull) this.bull = null;
        void bull.close().catch(() => {});
      });
      this.bull = bull;
    }
    return this.bull;
  }

  /** Adds the job; the same delivery and round again (while the job is kept) adds nothing. */
  async enqueue(job: DeliveryJob): Promise<void> {
    const queue = this.queue;
    try {
      await queue.add('deliver', job, { ...this.jobOptions, jobId: deliveryJobId(job) });
    } catch (error) {
      throw new InternalError('E_QUEUE_UNAVAILABLE', `cannot enqueue webhook delivery ${deliveryJobId(job)}: ${(error as Error).message}`, { cause: error });
    }
  }

  async close(): Promise<void> {
    await this.bull?.close();
    this.bull = null;
  }
}
