// What both backends share about assignments: where a grader may come from, the states, and the
// score histogram of the staff's pages.
import { UserError } from '../common/errors.js';
import { checkAbsolutePath, checkText, quote } from './input-checks.js';
import { ASSIGNMENT_STATES, type AssignmentState } from './store.js';

/** Where a grader came from, for people: a folder (absolute) or `upload:` and the uploaded file's name. */
export function checkGraderSource(source: unknown): string {
  if (typeof source === 'string' && source.startsWith('upload:')) return checkText('grader source', source, 300);
  return checkAbsolutePath('grader folder', source);
}

export function checkAssignmentState(state: unknown): AssignmentState {
  if (!ASSIGNMENT_STATES.includes(state as AssignmentState)) throw new UserError('E_BAD_INPUT', `assignment state ${quote(state)} is unknown; use ${ASSIGNMENT_STATES.join(', ')}`);
  return state as AssignmentState;
}

/** Ten bins of score / max score: 0–10 %, …, 90–100 % (a full score in the last). */
export function histogramOf(scores: Array<{ score: number; max: number }>): number[] {
  const bins = new Array<number>(10).fill(0);
  for (const { score, max } of scores) bins[max > 0 ? Math.min(9, Math.floor((score / max) * 10)) : 0]! += 1;
  return bins;
}
