// Fair share between courses and regrades below fresh work, expressed as BullMQ priorities.
//
// The scheme. BullMQ runs the lowest priority number first, and jobs of equal priority in the
// order they came. Each course keeps, in Redis, the set of its jobs still waiting (a sorted set
// keyed by course and kind). A new job's priority is its rank in that set at enqueue time: the
// course's n-th waiting job gets priority n. A worker removes the job from the set when it starts
// it. So when course A has 50 jobs waiting (priorities 1…50) and course B then sends 3, B's get 1,
// 2 and 3 and run interleaved with A's 1, 2, 3 instead of after A's fiftieth: every course with
// work waiting gets its turn, whatever another course's deadline burst. Regrades use their own
// sets and are offset by REGRADE_OFFSET, so any fresh submission runs before any regrade.
// (Within one course the order is first come first served only roughly: a job sent when few of
// the course's jobs wait may overtake older ones that were ranked when many waited.)
//
// Ranks never grow without bound (they count waiting jobs, not all jobs ever), so they stay far
// below BullMQ's priority limit. A member whose enqueue failed after it was counted (Redis went
// away in between) would count forever; members older than the window are dropped on every
// enqueue, and the set expires when its course stays idle that long.
import type { Redis } from 'ioredis';

import type { GradingJob } from '../protocol/grading-job.js';

/** Added to a regrade's rank: below every fresh submission. */
export const REGRADE_OFFSET = 1_000_000;
/** Ranks are capped here so a regrade's priority stays under BullMQ's limit (2^21 − 1). */
export const MAX_RANK = REGRADE_OFFSET - 1;

// KEYS[1]: the job's hash (exists once BullMQ has the job); KEYS[2]: the course's waiting set.
// ARGV: job id, now (ms), window (ms). Returns 0 when the job is known already, else its rank.
const CLAIM_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', tonumber(ARGV[2]) - tonumber(ARGV[3]))
redis.call('ZADD', KEYS[2], 'NX', ARGV[2], ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return redis.call('ZCARD', KEYS[2])
`;

/** The BullMQ priority of a job of `kind` at `rank` among its course's waiting jobs. */
export function priorityFor(kind: GradingJob['kind'], rank: number): number {
  const capped = Math.min(Math.max(rank, 1), MAX_RANK);
  return kind === 'regrade' ? REGRADE_OFFSET + capped : capped;
}

export interface FairShareOptions {
  /** The queue's key prefix and name, as BullMQ builds keys: `<prefix>:<name>:…`. */
  keyBase: string;
  /** A counted job older than this no longer counts (see the scheme above), ms. @defaultValue 1 day */
  windowMs?: number;
}

export class FairShare {
  private readonly windowMs: number;

  constructor(private readonly redis: Redis, private readonly options: FairShareOptions) {
    this.windowMs = options.windowMs ?? 24 * 3600 * 1000;
  }

  private waitingKey(job: Pick<GradingJob, 'kind' | 'courseId'>): string {
    return `${this.options.keyBase}:fair:${job.kind}:${job.courseId}`;
  }

  /** Counts the job as waiting and returns its priority, or null when BullMQ has the job already. */
  async claim(job: GradingJob, jobId: string): Promise<number | null> {
    const jobKey = `${this.options.keyBase}:${jobId}`;
    const rank = Number(await this.redis.eval(CLAIM_SCRIPT, 2, jobKey, this.waitingKey(job), jobId, Date.now(), this.windowMs));
    return rank === 0 ? null : priorityFor(job.kind, rank);
  }

  /** The job started: it no longer waits. Idempotent (a retried or recovered job may start again). */
  async release(job: GradingJob, jobId: string): Promise<void> {
    await this.redis.zrem(this.waitingKey(job), jobId);
  }
}
