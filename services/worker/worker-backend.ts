// What a worker needs from the rest of gradebox: a submission's files, a grader folder, a place for evidence and results.
import type { ResultMessage } from '../protocol/result-message.js';

/**
 * A worker is stateless: everything it grades comes through a backend, and everything it keeps
 * (incident evidence, results) goes back through it. Failures are `InternalError`s: never the student's.
 */
export interface WorkerBackend {
  /** A folder holding the submission's files; it may be made inside `scratchDir` (removed after the job). */
  submissionFiles(submissionId: string, scratchDir: string): Promise<string>;
  /** The grader folder whose definition has exactly this digest. */
  graderDir(digest: string): Promise<string>;
  /** Hands an incident's evidence archive (whose sha256 is `sha256`) to the API. */
  uploadEvidence(sha256: string, path: string): Promise<void>;
  /**
   * Hands a message about a grading to the API, which ingests it before this resolves. Throws an
   * `InternalError` coded `E_RESULT_REFUSED` when the message is refused for good; any other
   * failure may pass, and the caller sends the same message again. `signal` cuts a send short.
   */
  sendResult(message: ResultMessage, signal?: AbortSignal): Promise<void>;
}
