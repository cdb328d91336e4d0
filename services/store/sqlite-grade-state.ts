// The part of a submission's row that every grading step reads first: its status and latest grade number.
import { UserError } from '../common/errors.js';
import { quote } from './input-checks.js';
import type { SqliteDatabase } from './sqlite-connection.js';
import type { SubmissionStatus } from './store.js';

export interface GradeState {
  status: SubmissionStatus;
  /** The latest grading requested. */
  gradeNumber: number;
}

/** The submission's state, or a UserError when no submission has that id. */
export function requireGradeState(db: SqliteDatabase, submissionId: string): GradeState {
  const row = db.prepare('SELECT status, grade_number FROM submissions WHERE id = ?').get(String(submissionId)) as
    { status: SubmissionStatus; grade_number: number } | undefined;
  if (!row) throw new UserError('E_NOT_FOUND', `submission ${quote(submissionId)} does not exist; check the id`);
  return { status: row.status, gradeNumber: row.grade_number };
}

/** Refuses a grade number that was never requested for the submission. */
export function checkRequested(state: GradeState, submissionId: string, gradeNumber: number): void {
  if (gradeNumber > state.gradeNumber) {
    throw new UserError('E_GRADE_NUMBER', `grading ${gradeNumber} of submission ${submissionId} was never requested (the latest is ${state.gradeNumber}); use the grade number of the job`);
  }
}
