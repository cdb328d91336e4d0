// A fault of the submission itself, found while its build and runs are planned: no file, no source
// of the language, a source that is not text, no entry point or several. It is the student's compile
// error (CE, the message as feedback), never a usage error nor a failed grading; thrown by the
// language records and the source reader, caught once, in plan.ts.

export type SubmissionFaultCode =
  | 'E_SUBMISSION_EMPTY'
  | 'E_SUBMISSION_NO_SOURCE'
  | 'E_SUBMISSION_NOT_TEXT'
  | 'E_SUBMISSION_NAME'
  | 'E_SUBMISSION_ENTRY'
  | 'E_SUBMISSION_NO_MAIN'
  | 'E_SUBMISSION_AMBIGUOUS';

export class SubmissionFault extends Error {
  override readonly name = 'SubmissionFault';
  constructor(
    readonly code: SubmissionFaultCode,
    /** For the student: what is wrong with the submission and how to submit it right. Names no host path. */
    message: string,
  ) {
    super(message);
  }
}
