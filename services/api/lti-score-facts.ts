// What a score delivery says of its grading, decided from the stored result as a student may see
// it now (student-view.ts): a final, gradable grade is a score with its maximum; one whose tests
// are still withheld is PendingManual; a grading that failed, or whose sandbox failed, says so with
// the student's sentence and reference and no score (never a zero for gradebox's failure).
import type { ScoreFacts } from '../lti/ags-score.js';
import type { ScoreFactsOf } from '../lti/passback-attempt.js';
import type { GradeResult } from '../protocol/grade-result.js';
import type { LtiScoreDelivery } from '../store/lti-store.js';
import type { Store } from '../store/store.js';
import { feedbackStateOf } from './student-submission.js';
import { gradingReference, internalFailureSentence, studentFailureMessage } from './student-failure.js';
import { studentView } from './student-view.js';

/** The most points of the learner's newest result (a line item made before the first grade needs one). */
async function maximumOf(store: Store, submissionId: string): Promise<number | null> {
  const graded = (await store.listGradings(submissionId)).filter((g) => g.result !== null).at(-1);
  const max = (graded?.result as { max_score?: unknown } | undefined)?.max_score;
  return typeof max === 'number' && max > 0 ? max : null;
}

async function factsOf(store: Store, delivery: LtiScoreDelivery): Promise<ScoreFacts & { assignmentName: string }> {
  const submission = await store.getSubmission(delivery.submissionId);
  if (!submission) throw new Error(`submission ${delivery.submissionId} of score delivery ${delivery.id} is gone`);
  const reference = gradingReference(submission.id, delivery.gradeNumber);
  const base = { assignmentName: submission.assignmentName, maximum: await maximumOf(store, submission.id) };
  const grading = (await store.listGradings(submission.id)).find((g) => g.gradeNumber === delivery.gradeNumber);
  if (delivery.kind === 'pending' || !grading) return { ...base, kind: 'pending', comment: 'Submitted to gradebox; grading.' };
  if (!grading.result) {
    const code = delivery.gradeNumber === submission.gradeNumber ? submission.errorCode : null;
    return { ...base, kind: 'failed', comment: studentFailureMessage({ message: grading.error ?? '', code }, reference) };
  }
  const result = grading.result as unknown as GradeResult;
  if (!result.gradable) return { ...base, kind: 'failed', comment: internalFailureSentence(reference) };
  const view = studentView(result, await feedbackStateOf(store, submission), reference);
  if (view.score === null) return { ...base, kind: 'withheld', comment: `Graded by gradebox; the score is shown when your course releases it (${reference}).` };
  const passed = view.tests.filter((t) => t.status === 'passed').length;
  return {
    ...base, kind: 'graded', scoreGiven: view.score, scoreMaximum: view.max_score,
    comment: `${view.verdict} · ${view.score} / ${view.max_score} · ${passed} of ${view.tests.length} tests passed (${reference})`,
  };
}

export function ltiScoreFacts(store: Store): ScoreFactsOf {
  return (delivery) => factsOf(store, delivery);
}
