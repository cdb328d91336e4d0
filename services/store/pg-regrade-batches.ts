// Regrades by filter in PostgreSQL: every submission the filter takes gets its next grading, all in
// one transaction, recorded as a batch whose progress is counted from the results that come in.
import { UserError } from '../common/errors.js';
import { newResourceId } from './ids.js';
import { checkCount, checkText } from './input-checks.js';
import { now, row, writeTransaction, type Queryable } from './pg-connection.js';
import type { PgContext } from './pg-context.js';
import { requireCourse } from './pg-courses.js';
import { querySubmissionIds, regradeIn } from './pg-submissions.js';
import { toRegradeBatch, type BatchCounts, type BatchRow } from './staff-rows.js';
import type { RegradeBatch } from './store.js';
import type { StoreOperations } from './store-operations.js';

async function findBatch(db: Queryable, id: string): Promise<RegradeBatch | null> {
  const found = await row<BatchRow>(db, 'SELECT * FROM regrade_batches WHERE id = $1', [String(id)]);
  if (!found) return null;
  const counts = (await row<BatchCounts>(db, `SELECT COUNT(*) AS total, COUNT(r.outcome) AS done,
      COUNT(*) FILTER (WHERE r.outcome = 'error') AS failed
    FROM regrade_batch_items i LEFT JOIN results r ON r.submission_id = i.submission_id AND r.grade_number = i.grade_number
    WHERE i.batch_id = $1`, [found.id]))!;
  return toRegradeBatch(found, counts);
}

export function regradeBatchOperations(context: PgContext) {
  const { pool } = context;
  return {
    async createRegradeBatch(filter, requestedBy, max, requestId) {
      await requireCourse(pool, filter?.courseId);
      checkText('requested by', requestedBy, 300);
      checkCount('most submissions of a batch', max, 1);
      return writeTransaction(pool, async (client) => {
        const ids = await querySubmissionIds(client, { ...filter, purpose: 'student' }, max + 1);
        if (ids.length > max) throw new UserError('E_TOO_MANY', `the filter takes more than ${max} submissions; narrow it (an assignment, a status, a date range) and send it again`);
        const id = newResourceId('rg');
        await client.query('INSERT INTO regrade_batches (id, course_id, filter_json, requested_by, created_at) VALUES ($1, $2, $3, $4, $5)',
          [id, filter.courseId, JSON.stringify(filter), requestedBy, now()]);
        // In id order: two batches over the same submissions lock them in the same order.
        for (const submissionId of [...ids].sort()) {
          const { gradeNumber } = await regradeIn(context, client, submissionId, requestId);
          await client.query('INSERT INTO regrade_batch_items (batch_id, submission_id, grade_number) VALUES ($1, $2, $3)', [id, submissionId, gradeNumber]);
        }
        return (await findBatch(client, id))!;
      });
    },

    getRegradeBatch: (id) => findBatch(pool, id),
  } satisfies Partial<StoreOperations>;
}
