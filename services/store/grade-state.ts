// A submission's grading state as every grading step reads it first, and the rule on grade numbers, for every backend.
import { UserError } from '../common/errors.js';
import type { SubmissionStatus } from './store.js';

export interface GradeState {
  status: SubmissionStatus;
  /** The latest grading requested. */
  gradeNumber: number;
}

/** Refuses a grade number that was never requested for the submission. */
export function checkRequested(state: GradeState, submissionId: string, gradeNumber: number): void {
  if (gradeNumber > state.gradeNumber) {
    throw new UserError('E_GRADE_NUMBER', `grading ${gradeNumber} of submission ${submissionId} was never requested (the latest is ${state.gradeNumber}); use the grade number of the job`);
  }
}
