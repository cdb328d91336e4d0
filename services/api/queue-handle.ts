// The API's grading queue, made once its Redis connection is ready: BullMQ checks the server when
// a queue is made, and with the fail-fast connection that check fails for good if Redis is away
// at that moment. Until then the API still takes submissions; the outbox keeps them.
import type { Redis } from 'ioredis';

import { InternalError } from '../common/errors.js';
import { GradingQueue, type GradingQueueOptions } from '../queue/grading-queue.js';

export class QueueHandle {
  private queue: GradingQueue | null = null;

  constructor(private readonly redis: Redis, private readonly options: Omit<GradingQueueOptions, 'connection'>) {}

  /** The queue; an InternalError while Redis has not been reachable yet. */
  get(): GradingQueue {
    if (!this.queue) {
      if (this.redis.status !== 'ready') throw new InternalError('E_QUEUE_UNAVAILABLE', `Redis is not reachable yet (connection ${this.redis.status})`);
      this.queue = new GradingQueue({ ...this.options, connection: this.redis });
    }
    return this.queue;
  }

  async close(): Promise<void> {
    await this.queue?.close();
  }
}
