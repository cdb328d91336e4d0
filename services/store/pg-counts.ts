// Counts for metrics and readiness, read in one query each.
import { rows } from './pg-connection.js';
import type { PgContext } from './pg-context.js';
import { SUBMISSION_STATUSES, type OpenSubmissionCount, type SubmissionStatus } from './store.js';
import type { StoreOperations } from './store-operations.js';

export function countOperations({ pool }: PgContext) {
  return {
    async countSubmissionsByStatus() {
      const counts = Object.fromEntries(SUBMISSION_STATUSES.map((s) => [s, 0])) as Record<SubmissionStatus, number>;
      for (const { status, n } of await rows<{ status: SubmissionStatus; n: number }>(pool, 'SELECT status, COUNT(*) AS n FROM submissions GROUP BY status')) {
        counts[status] = n;
      }
      return counts;
    },

    async countOpenSubmissionsByCourse() {
      return rows<OpenSubmissionCount>(pool, `SELECT course_id AS "courseId", status, COUNT(*) AS n FROM submissions
        WHERE status IN ('queued', 'running') GROUP BY course_id, status ORDER BY course_id COLLATE "C", status COLLATE "C"`);
    },

    /** Each submission's newest result counted by its verdict (a regraded submission counts once). */
    async countResultsByVerdict() {
      const found = await rows<{ verdict: string; n: number }>(pool, `SELECT verdict, COUNT(*) AS n FROM results r
        WHERE outcome = 'graded' AND grade_number = (SELECT MAX(grade_number) FROM results x WHERE x.submission_id = r.submission_id AND x.outcome = 'graded')
        GROUP BY verdict ORDER BY verdict COLLATE "C"`);
      return Object.fromEntries(found.map(({ verdict, n }) => [verdict, n]));
    },
  } satisfies Partial<StoreOperations>;
}
