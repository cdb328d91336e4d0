// The part of a submission's row that every grading step reads first: its status and latest grade number.
import { UserError } from '../common/errors.js';
import type { GradeState } from './grade-state.js';
import { quote } from './input-checks.js';
import type { SqliteDatabase } from './sqlite-connection.js';

export { checkRequested, type GradeState } from './grade-state.js';

/** The submission's state, or a UserError when no submission has that id. */
export function requireGradeState(db: SqliteDatabase, submissionId: string): GradeState {
  const row = db.prepare('SELECT status, grade_number FROM submissions WHERE id = ?').get(String(submissionId)) as
    { status: GradeState['status']; grade_number: number } | undefined;
  if (!row) throw new UserError('E_NOT_FOUND', `submission ${quote(submissionId)} does not exist; check the id`);
  return { status: row.status, gradeNumber: row.grade_number };
}
