// Which workers are alive, with their slots: each worker process writes its presence to Redis
// every few seconds with a short expiry, so a worker that died drops out by itself; the API lists
// them for the queue page and the metrics. (BullMQ's own client list names workers, not their slots.)
import type { Redis } from 'ioredis';

export interface WorkerPresence {
  /** `<host>:<pid>`, as the worker names itself in logs and attempts. */
  id: string;
  /** Gradings it runs at once. */
  slots: number;
  /** Of those, grading now. */
  busy: number;
  /** The CPUs its sandboxes are pinned to, e.g. `0-3`. */
  cpus: string;
  startedAt: string;
  seenAt: string;
}

/** A worker not heard of for this long is gone, s. */
export const PRESENCE_TTL_SECONDS = 15;
/** How often a worker says it is there, ms. */
export const PRESENCE_EVERY_MS = 5000;

const MAX_WORKERS_LISTED = 1000;

export class WorkerRoster {
  constructor(private readonly redis: Redis, private readonly prefix: string) {}

  private key(id: string): string {
    return `${this.prefix}:workers:${id}`;
  }

  /** Skipped while Redis is away: a queued-up presence would only say something stale later. */
  announce(presence: WorkerPresence): Promise<unknown> {
    if (this.redis.status !== 'ready') return Promise.resolve();
    return this.redis.set(this.key(presence.id), JSON.stringify(presence), 'EX', PRESENCE_TTL_SECONDS);
  }

  remove(id: string): Promise<unknown> {
    if (this.redis.status !== 'ready') return Promise.resolve();
    return this.redis.del(this.key(id));
  }

  /** The slots of the workers alive now, for the metrics. */
  async slotTotals(): Promise<{ workers: number; slots: number; free: number }> {
    const workers = await this.list();
    const slots = workers.reduce((sum, w) => sum + w.slots, 0);
    return { workers: workers.length, slots, free: slots - workers.reduce((sum, w) => sum + w.busy, 0) };
  }

  /** The workers alive now, by id. */
  async list(): Promise<WorkerPresence[]> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}:workers:*`, 'COUNT', 100);
      keys.push(...found);
      cursor = next;
    } while (cursor !== '0' && keys.length < MAX_WORKERS_LISTED);
    if (keys.length === 0) return [];
    const values = await this.redis.mget(...keys);
    return values.flatMap((value) => {
      try {
        return value ? [JSON.parse(value) as WorkerPresence] : [];
      } catch {
        return [];
      }
    }).sort((a, b) => a.id.localeCompare(b.id));
  }
}
