// The API's side of the grading queue: validated, idempotent, fairly prioritized enqueues, and counts for metrics.
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';

import { InternalError } from '../common/errors.js';
import { gradingJobId, parseGradingJob, type GradingJob } from '../protocol/grading-job.js';
import { FairShare } from './fair-share.js';
import { signJob } from './job-signature.js';

/** Kept-jobs bound for BullMQ: at most `count` jobs, none older than `age` seconds. */
export interface KeepJobs {
  age: number;
  count: number;
}

/** Names shared by the API and the workers. */
export interface QueueNames {
  /** Prefix of every Redis key of gradebox's queues. @defaultValue `gradebox` */
  prefix?: string;
  /** The grading queue. @defaultValue `grading` */
  name?: string;
}

export const DEFAULT_PREFIX = 'gradebox';
export const DEFAULT_GRADING_QUEUE = 'grading';

export interface GradingQueueOptions extends QueueNames {
  /** Use the `api` profile (fail fast). The caller owns it and quits it after {@link GradingQueue.close}. */
  connection: Redis;
  /** Signs each job (see job-signature.ts): `jobKeyFromToken(the workers' token)`. */
  jobKey: Buffer;
  /** Tries of a job whose grading failed internally (IE); a student's own failure is never retried. @defaultValue 3 */
  attempts?: number;
  /** Wait before the first retry, ms; it doubles for each further one. @defaultValue 5000 */
  backoffMs?: number;
  /**
   * Completed jobs kept (as duplicates of a job id are ignored only while the job is kept, this
   * is also how long a re-sent job stays a no-op: the relay re-sends within seconds of an API
   * restart). Each keeps its inline files, so this bounds that memory in Redis (at most about
   * 22 KiB a job). @defaultValue `{ age: 86400, count: 5000 }`
   */
  keepCompleted?: KeepJobs;
  /** Failed jobs kept, for operators to look at. @defaultValue `{ age: 604800, count: 10000 }` */
  keepFailed?: KeepJobs;
  /** See {@link FairShare}: how long a counted waiting job counts at most, ms. @defaultValue 1 day */
  fairShareWindowMs?: number;
}

/** The outcome of an enqueue: the job id, and whether this call added it (false: it was there). */
export interface Enqueued {
  jobId: string;
  added: boolean;
  /** The BullMQ priority given; null when the job was there already. */
  priority: number | null;
}

/** Job counts by state, for /metrics. */
export type JobCounts = Record<'waiting' | 'prioritized' | 'active' | 'delayed' | 'completed' | 'failed', number>;

export class GradingQueue {
  private bull: Queue | null = null;
  private readonly fairShare: FairShare;
  private readonly jobOptions: JobsOptions;
  private readonly names: { prefix: string; name: string };

  constructor(private readonly options: GradingQueueOptions) {
    this.names = { prefix: options.prefix ?? DEFAULT_PREFIX, name: options.name ?? DEFAULT_GRADING_QUEUE };
    this.fairShare = new FairShare(options.connection, { keyBase: `${this.names.prefix}:${this.names.name}`, windowMs: options.fairShareWindowMs });
    this.jobOptions = {
      attempts: options.attempts ?? 3,
      backoff: { type: 'exponential', delay: options.backoffMs ?? 5000 },
      removeOnComplete: options.keepCompleted ?? { age: 86_400, count: 5000 },
      removeOnFail: options.keepFailed ?? { age: 604_800, count: 10_000 },
    };
  }

  /**
   * The BullMQ queue, made on first use once Redis is reachable. BullMQ checks the server when a
   * queue is made, and on a fail-fast connection a queue made while Redis is away stays broken; so
   * it is made late, and made again if that check failed.
   */
  get queue(): Queue {
    const redis = this.options.connection;
    if (redis.status !== 'ready') throw new InternalError('E_QUEUE_UNAVAILABLE', `Redis is not reachable (connection ${redis.status}); the job stays in the outbox`);
    if (!this.bull) {
      const bull = new Queue(this.names.name, { connection: redis, prefix: this.names.prefix, skipWaitingForReady: true });
      bull.on('error', () => {}); // connection trouble surfaces as a failed enqueue
      bull.waitUntilReady().catch(() => {
        if (this.bull === bull) this.bull = null;
        void bull.close().catch(() => {});
      });
      this.bull = bull;
    }
    return this.bull;
  }

  /**
   * Validates, signs and enqueues one grading. Sending the same (submissionId, gradeNumber) again while
   * the job is kept is a no-op, so the outbox relay may re-send freely. Fails at once (an
   * `InternalError` E_QUEUE_UNAVAILABLE) when Redis is not reachable: the outbox keeps the job.
   */
  async enqueue(job: GradingJob): Promise<Enqueued> {
    const checked = parseGradingJob(job);
    const jobId = gradingJobId(checked);
    const queue = this.queue;
    try {
      const priority = await this.fairShare.claim(checked, jobId);
      if (priority === null) return { jobId, added: false, priority: null };
      await queue.add(checked.kind, signJob(checked, this.options.jobKey), { ...this.jobOptions, jobId, priority });
      return { jobId, added: true, priority };
    } catch (error) {
      throw new InternalError('E_QUEUE_UNAVAILABLE', `cannot enqueue job ${jobId}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }

  /** How many jobs are in each state. */
  async counts(): Promise<JobCounts> {
    const counts = await this.queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed');
    return {
      waiting: counts.waiting ?? 0, prioritized: counts.prioritized ?? 0, active: counts.active ?? 0, delayed: counts.delayed ?? 0,
      completed: counts.completed ?? 0, failed: counts.failed ?? 0,
    };
  }

  /** Workers connected to this queue (each `gradebox worker` process counts once). */
  workerCount(): Promise<number> {
    return this.queue.getWorkersCount();
  }

  /** Closes the queue; the connection stays the caller's. */
  async close(): Promise<void> {
    await this.bull?.close();
    this.bull = null;
  }
}
