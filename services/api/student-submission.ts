// What a student sees of a submission and of its stored events, decided when they are read: a
// result (and a graded event's score and verdict) by what is withheld now, a failure by what the
// student may know (student-view.ts, student-failure.ts). Each event type passes an allowlist
// of fields; an unknown type only its grade number.
import type { z } from 'zod';

import type { submissionView } from '../protocol/api-schemas.js';
import type { GradeResult } from '../protocol/grade-result.js';
import type { TestProgress } from '../protocol/result-message.js';
import type { Store, StoreEvent, Submission } from '../store/store.js';
import { gradingReference, studentFailureMessage } from './student-failure.js';
import { isWithheld, progressShown, studentView, type FeedbackState } from './student-view.js';

/** The assignment's state now; an assignment that cannot be found withholds everything it can. */
export async function feedbackStateOf(store: Store, submission: Submission): Promise<FeedbackState> {
  const assignment = await store.findAssignment(submission.courseId, submission.assignmentName);
  return { dueAt: assignment?.dueAt ?? null, feedbackReleasedAt: assignment?.feedbackReleasedAt ?? null };
}

/** The submission as a student may see it, by its assignment's state now. */
export async function studentSubmission(store: Store, s: Submission): Promise<z.infer<typeof submissionView>> {
  const failed = s.status === 'error' && s.error !== null;
  const reference = failed ? gradingReference(s.id, s.gradeNumber) : null;
  const result = s.result && s.resultGradeNumber !== null
    ? studentView(s.result as unknown as GradeResult, await feedbackStateOf(store, s), gradingReference(s.id, s.resultGradeNumber))
    : null;
  return {
    id: s.id, status: s.status, assignment: s.assignmentName, student: s.student, created_at: s.createdAt, updated_at: s.updatedAt,
    error: failed ? studentFailureMessage({ message: s.error!, code: s.errorCode }, reference!) : null,
    error_reference: reference,
    result,
  };
}

/** The graded event: the summary and the whole result as the student may see it now (no second GET needed). */
async function gradedData(store: Store, submission: Submission, gradeNumber: number): Promise<Record<string, unknown>> {
  const grading = (await store.listGradings(submission.id)).find((g) => g.gradeNumber === gradeNumber);
  if (!grading?.result) return { gradeNumber, verdict: null, score: null, maxScore: null, gradable: null, result: null };
  const view = studentView(grading.result as unknown as GradeResult, await feedbackStateOf(store, submission), gradingReference(submission.id, gradeNumber));
  return { gradeNumber, verdict: view.verdict, score: view.score, maxScore: view.max_score, gradable: view.gradable, withheld: view.withheld, result: view };
}

/** A test event: the tests judged so far as the result will show them (a withheld one only counted). */
async function testData(store: Store, submission: Submission, event: StoreEvent): Promise<Record<string, unknown>> {
  const state = await feedbackStateOf(store, submission);
  const tests = Array.isArray(event.data.tests) ? event.data.tests as TestProgress[] : [];
  const at = Date.now();
  const shown = tests.filter((t) => !isWithheld(t.visibility, state, at)).map((t) => progressShown(t));
  return { gradeNumber: Number(event.data.gradeNumber), done: event.data.done, total: event.data.total, tests: shown, withheld: tests.length - shown.length };
}

/** The data of `event` as a student may see it (with `at`, when it was stored). */
export async function studentEventData(store: Store, submission: Submission, event: StoreEvent): Promise<Record<string, unknown>> {
  const gradeNumber = Number(event.data.gradeNumber);
  const at = event.createdAt;
  switch (event.type) {
    case 'queued':
      return { gradeNumber, kind: event.data.kind, at };
    case 'running':
      return { gradeNumber, attempt: event.data.attempt, at };
    case 'test':
      return { ...(await testData(store, submission, event)), at };
    case 'graded':
      return { ...(await gradedData(store, submission, gradeNumber)), at };
    case 'error': {
      const reference = gradingReference(submission.id, gradeNumber);
      const failure = { message: String(event.data.message), code: typeof event.data.code === 'string' ? event.data.code : null };
      return { gradeNumber, message: studentFailureMessage(failure, reference), reference, at };
    }
    default:
      return { gradeNumber, at };
  }
}
