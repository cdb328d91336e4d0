// Each worker's CPU slots, as the metrics show them: every worker writes how many it has and how
// many are free into Redis every few seconds, under a key that expires, so a worker that dies
// (or whose host is cut off) drops out of the sum by itself within SLOT_REPORT_TTL_MS.
import type { Redis } from 'ioredis';

export const SLOT_REPORT_EVERY_MS = 5000;
const SLOT_REPORT_TTL_MS = 3 * SLOT_REPORT_EVERY_MS;

export interface SlotCounts {
  slots: number;
  free: number;
}

const keyOf = (prefix: string, workerId: string) => `${prefix}:worker-slots:${workerId}`;

/** Writes `read()` under the worker's key now and every few seconds, while Redis answers; returns a stop function that asks Redis to remove the key. */
export function reportSlots(redis: Redis, prefix: string, workerId: string, read: () => SlotCounts): () => void {
  const key = keyOf(prefix, workerId);
  const write = (): void => {
    // Only while connected: a worker waiting Redis out must not pile writes up in its offline queue.
    if (redis.status === 'ready') void redis.set(key, JSON.stringify(read()), 'PX', SLOT_REPORT_TTL_MS).catch(() => {});
  };
  const timer = setInterval(write, SLOT_REPORT_EVERY_MS);
  timer.unref();
  write();
  return () => {
    clearInterval(timer);
    // Not waited for: a worker's connection waits Redis out, and a stop must not hang on it (the key expires anyway).
    if (redis.status === 'ready') void redis.del(key).catch(() => {});
  };
}

/** The sum over the workers whose report has not expired. */
export async function totalSlots(redis: Redis, prefix: string): Promise<SlotCounts & { workers: number }> {
  const total = { slots: 0, free: 0, workers: 0 };
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', keyOf(prefix, '*'), 'COUNT', 500);
    cursor = next;
    const values = keys.length > 0 ? await redis.mget(keys) : [];
    for (const value of values) {
      if (value === null) continue; // expired between the scan and the read
      const counts = JSON.parse(value) as SlotCounts;
      total.slots += counts.slots;
      total.free += counts.free;
      total.workers += 1;
    }
  } while (cursor !== '0');
  return total;
}
