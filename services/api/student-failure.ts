// What a student is told when a grading failed for good: the message of their own mistake, or
// else one sentence and a reference. The detail (internal URLs, host paths, a sandbox's error) is
// for operators: the API's log line and the operator view carry it under the same reference.

/**
 * User errors about the submission itself, whose messages gradebox writes without host paths.
 * Any other failure (the service's, or a grader's: the course staff must fix that one) is
 * shown as an internal one. A new student-fault code must be added here to be shown.
 */
const STUDENT_FAULTS: ReadonlySet<string> = new Set([
  'E_SUBMISSION_NO_SOURCE',
  'E_SUBMISSION_AMBIGUOUS',
  'E_SUBMISSION_NO_MAIN',
  'E_BOX_TOO_LARGE',
]);

/** How operators find a grading in the logs and the operator view: its job id, `<submission>.<grade number>`. */
export function gradingReference(submissionId: string, gradeNumber: number): string {
  return `${submissionId}.${gradeNumber}`;
}

/** The sentence students see for a failure that is not theirs. */
export function internalFailureSentence(reference: string): string {
  return `This submission could not be graded because of a problem on the grading service's side, not in your code. `
    + `Your course staff can look it up with the reference ${reference}.`;
}

/** What a student sees of a failed grading: the message only when `code` names their own mistake. */
export function studentFailureMessage(failure: { message: string; code: string | null | undefined }, reference: string): string {
  return failure.code && STUDENT_FAULTS.has(failure.code) ? failure.message : internalFailureSentence(reference);
}
