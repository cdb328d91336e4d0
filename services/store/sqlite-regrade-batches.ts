// Regrades by filter in SQLite: every submission the filter takes gets its next grading, all in one
// transaction, recorded as a batch whose progress is counted from the results that come in.
import { UserError } from '../common/errors.js';
import { newResourceId } from './ids.js';
import { checkCount, checkText } from './input-checks.js';
import { now, writeTransaction, type SqliteDatabase } from './sqlite-connection.js';
import type { SqliteContext } from './sqlite-context.js';
import { requireCourse } from './sqlite-courses.js';
import { querySubmissionIds, submissionOperations } from './sqlite-submissions.js';
import { toRegradeBatch, type BatchCounts, type BatchRow } from './staff-rows.js';
import type { RegradeBatch } from './store.js';
import type { StoreOperations } from './store-operations.js';

function findBatch(db: SqliteDatabase, id: string): RegradeBatch | null {
  const row = db.prepare('SELECT * FROM regrade_batches WHERE id = ?').get(String(id)) as BatchRow | undefined;
  if (!row) return null;
  const counts = db.prepare(`SELECT COUNT(*) AS total, COUNT(r.outcome) AS done, COALESCE(SUM(CASE WHEN r.outcome = 'error' THEN 1 ELSE 0 END), 0) AS failed
    FROM regrade_batch_items i LEFT JOIN results r ON r.submission_id = i.submission_id AND r.grade_number = i.grade_number
    WHERE i.batch_id = ?`).get(row.id) as BatchCounts;
  return toRegradeBatch(row, counts);
}

export function regradeBatchOperations(context: SqliteContext) {
  const { db } = context;
  const submissions = submissionOperations(context);
  return {
    createRegradeBatch(filter, requestedBy, max, requestId) {
      requireCourse(db, filter?.courseId);
      checkText('requested by', requestedBy, 300);
      checkCount('most submissions of a batch', max, 1);
      return writeTransaction(db, () => {
        const ids = querySubmissionIds(db, { ...filter, purpose: 'student' }, max + 1);
        if (ids.length > max) throw new UserError('E_TOO_MANY', `the filter takes more than ${max} submissions; narrow it (an assignment, a status, a date range) and send it again`);
        const id = newResourceId('rg');
        db.prepare('INSERT INTO regrade_batches (id, course_id, filter_json, requested_by, created_at) VALUES (?, ?, ?, ?, ?)')
          .run(id, filter.courseId, JSON.stringify(filter), requestedBy, now());
        const addItem = db.prepare('INSERT INTO regrade_batch_items (batch_id, submission_id, grade_number) VALUES (?, ?, ?)');
        for (const submissionId of ids) addItem.run(id, submissionId, submissions.requestRegrade(submissionId, requestId).gradeNumber);
        return findBatch(db, id)!;
      });
    },

    getRegradeBatch: (id) => findBatch(db, id),
  } satisfies Partial<StoreOperations>;
}
