// When a failed delivery is tried again: the schedule's next delay, spread by a random jitter (so
// endpoints that failed together are not retried together), and never before what the endpoint
// asked for with Retry-After (capped at the schedule's longest delay).

/** Each delay is drawn between 90 % and 110 % of the schedule's. */
const JITTER = 0.1;

/**
 * The wait before the attempt after `attempt` (1 for the first) failed, ms, or null when the
 * schedule has no attempt left.
 */
export function retryDelayMs(schedule: readonly number[], attempt: number, retryAfterMs: number | null, random: () => number = Math.random): number | null {
  if (attempt >= schedule.length) return null;
  const planned = schedule[attempt]!;
  const jittered = Math.round(planned * (1 - JITTER + 2 * JITTER * random()));
  return Math.max(jittered, Math.min(retryAfterMs ?? 0, Math.max(...schedule)));
}

/** A Retry-After header (seconds, or an HTTP date) in ms from now; null when absent or unreadable. */
export function retryAfterMs(header: string | undefined, nowMs = Date.now()): number | null {
  if (header === undefined) return null;
  const text = header.trim();
  if (/^\d{1,9}$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : null;
}
