// The part of a submission's row that every grading step reads first: its status and latest grade
// number. Inside a write, the row is locked (FOR UPDATE), so the steps of one submission take turns.
import { UserError } from '../common/errors.js';
import { quote } from './input-checks.js';
import { row, type Queryable } from './pg-connection.js';
import type { GradeState } from './grade-state.js';

export { checkRequested, type GradeState } from './grade-state.js';

/** The submission's state, or a UserError when no submission has that id; `lock` inside a transaction that will change it. */
export async function requireGradeState(db: Queryable, submissionId: string, lock = false): Promise<GradeState> {
  const found = await row<{ status: GradeState['status']; grade_number: number }>(db,
    `SELECT status, grade_number FROM submissions WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [String(submissionId)]);
  if (!found) throw new UserError('E_NOT_FOUND', `submission ${quote(submissionId)} does not exist; check the id`);
  return { status: found.status, gradeNumber: found.grade_number };
}
