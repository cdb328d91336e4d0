// Counts for metrics and readiness, read in one query each.
import type { SqliteContext } from './sqlite-context.js';
import { SUBMISSION_STATUSES, type OpenSubmissionCount, type SubmissionStatus } from './store.js';
import type { StoreOperations } from './store-operations.js';

export function countOperations({ db }: SqliteContext) {
  return {
    countSubmissionsByStatus() {
      const counts = Object.fromEntries(SUBMISSION_STATUSES.map((s) => [s, 0])) as Record<SubmissionStatus, number>;
      const rows = db.prepare('SELECT status, COUNT(*) AS n FROM submissions GROUP BY status').all() as Array<{ status: SubmissionStatus; n: number }>;
      for (const { status, n } of rows) counts[status] = n;
      return counts;
    },

    countOpenSubmissionsByCourse() {
      return db.prepare(`SELECT course_id AS courseId, status, COUNT(*) AS n FROM submissions
        WHERE status IN ('queued', 'running') GROUP BY course_id, status ORDER BY course_id, status`).all() as OpenSubmissionCount[];
    },

    /** Each submission's newest result counted by its verdict (a regraded submission counts once). */
    countResultsByVerdict() {
      const rows = db.prepare(`SELECT verdict, COUNT(*) AS n FROM results r
        WHERE outcome = 'graded' AND grade_number = (SELECT MAX(grade_number) FROM results x WHERE x.submission_id = r.submission_id AND x.outcome = 'graded')
        GROUP BY verdict ORDER BY verdict`).all() as Array<{ verdict: string; n: number }>;
      return Object.fromEntries(rows.map(({ verdict, n }) => [verdict, n]));
    },
  } satisfies Partial<StoreOperations>;
}
