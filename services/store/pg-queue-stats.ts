// What the queue page shows from the store, in PostgreSQL: submissions waiting or being graded per
// course, and how many gradings ended lately and how long they took.
import { checkIsoTime } from './input-checks.js';
import { row, rows } from './pg-connection.js';
import type { PgContext } from './pg-context.js';
import { percentile } from './queue-stats.js';
import type { CourseDepth } from './store.js';
import type { StoreOperations } from './store-operations.js';

/** At most this many recent gradings are read for the latency percentiles. */
const LATENCY_SAMPLE = 10_000;

export function queueStatsOperations({ pool }: PgContext) {
  return {
    /** Latency is measured on first gradings, from the upload to the outcome (a regrade's request time is not kept apart). */
    async gradingStats(since) {
      const from = checkIsoTime('since', since);
      const finished = Number((await row<{ n: number }>(pool, 'SELECT COUNT(*) AS n FROM results WHERE created_at >= $1', [from]))!.n);
      const found = await rows<{ done: string; asked: string }>(pool, `SELECT r.created_at AS done, s.created_at AS asked FROM results r JOIN submissions s ON s.id = r.submission_id
        WHERE r.created_at >= $1 AND r.grade_number = 1 ORDER BY r.created_at DESC LIMIT $2`, [from, LATENCY_SAMPLE]);
      const latencies = found.map((r) => Date.parse(r.done) - Date.parse(r.asked)).sort((a, b) => a - b);
      return { finished, latencyP50Ms: percentile(latencies, 50), latencyP95Ms: percentile(latencies, 95) };
    },

    async queueDepthByCourse() {
      const found = await rows<{ course_id: string; queued: number; running: number }>(pool, `SELECT course_id, COUNT(*) FILTER (WHERE status = 'queued') AS queued,
          COUNT(*) FILTER (WHERE status = 'running') AS running
        FROM submissions WHERE status IN ('queued', 'running') GROUP BY course_id ORDER BY course_id COLLATE "C"`);
      return found.map((r): CourseDepth => ({ courseId: r.course_id, queued: Number(r.queued), running: Number(r.running) }));
    },
  } satisfies Partial<StoreOperations>;
}
