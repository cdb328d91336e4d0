// What both backends check of a submission's purpose and a listing's status filter.
import { UserError } from '../common/errors.js';
import { quote } from './input-checks.js';
import { SUBMISSION_STATUSES, type SubmissionPurpose, type SubmissionStatus } from './store.js';

const PURPOSES: readonly SubmissionPurpose[] = ['student', 'self_test'];

export function checkPurpose(purpose: unknown): SubmissionPurpose {
  if (!PURPOSES.includes(purpose as SubmissionPurpose)) throw new UserError('E_BAD_INPUT', `submission purpose ${quote(purpose)} is unknown; use ${PURPOSES.join(' or ')}`);
  return purpose as SubmissionPurpose;
}

export function checkStatus(status: unknown): SubmissionStatus {
  if (!SUBMISSION_STATUSES.includes(status as SubmissionStatus)) throw new UserError('E_BAD_INPUT', `status ${quote(status)} is unknown; use ${SUBMISSION_STATUSES.join(', ')}`);
  return status as SubmissionStatus;
}
