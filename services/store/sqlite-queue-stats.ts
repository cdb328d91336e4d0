// What the queue page shows from the store: submissions waiting or being graded per course, and how
// many gradings ended lately and how long they took.
import { checkIsoTime } from './input-checks.js';
import { percentile } from './queue-stats.js';
import type { SqliteContext } from './sqlite-context.js';
import type { CourseDepth } from './store.js';
import type { StoreOperations } from './store-operations.js';

/** At most this many recent gradings are read for the latency percentiles. */
const LATENCY_SAMPLE = 10_000;

export function queueStatsOperations({ db }: SqliteContext) {
  return {
    /** Latency is measured on first gradings, from the upload to the outcome (a regrade's request time is not kept apart). */
    gradingStats(since) {
      const from = checkIsoTime('since', since);
      const finished = db.prepare('SELECT COUNT(*) FROM results WHERE created_at >= ?').pluck().get(from) as number;
      const rows = db.prepare(`SELECT r.created_at AS done, s.created_at AS asked FROM results r JOIN submissions s ON s.id = r.submission_id
        WHERE r.created_at >= ? AND r.grade_number = 1 ORDER BY r.created_at DESC LIMIT ?`).all(from, LATENCY_SAMPLE) as Array<{ done: string; asked: string }>;
      const latencies = rows.map((r) => Date.parse(r.done) - Date.parse(r.asked)).sort((a, b) => a - b);
      return { finished, latencyP50Ms: percentile(latencies, 50), latencyP95Ms: percentile(latencies, 95) };
    },

    queueDepthByCourse() {
      return db.prepare(`SELECT course_id AS courseId, SUM(CASE WHEN status = 'queued' THEN 1 ELSE 0 END) AS queued,
          SUM(CASE WHEN status = 'running' THEN 1 ELSE 0 END) AS running
        FROM submissions WHERE status IN ('queued', 'running') GROUP BY course_id ORDER BY course_id`).all() as CourseDepth[];
    },
  } satisfies Partial<StoreOperations>;
}
