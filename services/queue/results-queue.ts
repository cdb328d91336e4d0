// Worker → API messages on a durable queue of their own, so an API restart loses no result.
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';

import { InternalError } from '../common/errors.js';
import { firstIssue } from './grading-job.js';
import { DEFAULT_PREFIX } from './grading-queue.js';
import { resultMessageSchema, type ResultMessage } from './result-message.js';

export { resultMessageSchema, type AttemptRef, type IncidentRef, type ResultMessage } from './result-message.js';

export const DEFAULT_RESULTS_QUEUE = 'results';

export interface ResultsQueueOptions {
  /** Use the `worker` profile: publishing and consuming wait out a Redis outage. The caller owns it. */
  connection: Redis;
  /** @defaultValue `gradebox` */
  prefix?: string;
  /** @defaultValue `results` */
  name?: string;
}

/**
 * One message per (submission, grade number, type) is kept while it is: a worker that publishes
 * `finished` twice (it was recovered after a crash) sends it once. Each `started` try is its own.
 */
function messageId(message: ResultMessage): string {
  const base = `${message.submissionId}.${message.gradeNumber}.${message.type}`;
  return message.type === 'started' ? `${base}.${message.attempt}` : base;
}

function parseMessage(data: unknown): ResultMessage {
  const parsed = resultMessageSchema.safeParse(data);
  if (!parsed.success) throw new InternalError('E_RESULT_MESSAGE', `result message is invalid: ${firstIssue(parsed.error)}`);
  return parsed.data;
}

/** The workers' end: validates and publishes. */
export class ResultsPublisher {
  private readonly queue: Queue;

  constructor(options: ResultsQueueOptions) {
    this.queue = new Queue(options.name ?? DEFAULT_RESULTS_QUEUE, { connection: options.connection, prefix: options.prefix ?? DEFAULT_PREFIX });
    this.queue.on('error', () => {}); // a worker connection waits Redis out; errors reach the publish call
  }

  async publish(message: ResultMessage): Promise<void> {
    const checked = parseMessage(message);
    await this.queue.add(checked.type, checked, {
      jobId: messageId(checked),
      // The handler retries while the API's store is away; after that the message stays failed for operators.
      attempts: 12,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: { age: 3600, count: 10_000 },
      removeOnFail: { age: 7 * 86_400, count: 10_000 },
    });
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}

export interface ConsumeOptions extends ResultsQueueOptions {
  /** Messages handled at once. @defaultValue 1 (in order, as far as retries allow) */
  concurrency?: number;
  /** Told about messages that failed for good (invalid) and handler errors. @defaultValue ignore */
  onError?: (error: Error, message: unknown) => void;
}

/** A running consumer; {@link close} waits for the message in hand. */
export interface ResultsConsumer {
  close(): Promise<void>;
}

/**
 * The API's end: runs `handler` for each message. Delivery is at least once and, after a retry,
 * not strictly in order, so the handler must be idempotent on (submissionId, gradeNumber, type)
 * and must ignore a `started` that comes after that grading's `finished` or `failed`. A handler
 * that throws gets the message again later (exponential backoff); an invalid message fails for good.
 */
export function consumeResults(options: ConsumeOptions, handler: (message: ResultMessage) => Promise<void>): ResultsConsumer {
  const worker = new Worker(options.name ?? DEFAULT_RESULTS_QUEUE, async (job: Job) => {
    let message: ResultMessage;
    try {
      message = parseMessage(job.data);
    } catch (error) {
      throw new UnrecoverableError((error as Error).message);
    }
    await handler(message);
  }, { connection: options.connection, prefix: options.prefix ?? DEFAULT_PREFIX, concurrency: options.concurrency ?? 1 });
  const report = options.onError ?? (() => {});
  worker.on('failed', (job, error) => report(error, job?.data));
  worker.on('error', (error) => report(error, undefined));
  return { close: () => worker.close() };
}
