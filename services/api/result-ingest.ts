// Stores what workers report about gradings. Messages come at least once and not always in
// order; the store keeps the first outcome of each grading, so ingesting is idempotent.
import type { Logger } from 'pino';

import type { ResultMessage } from '../protocol/result-message.js';
import type { Store } from '../store/store.js';
import type { ApiMetrics, GradedSample } from './metrics.js';
import { gradingReference } from './student-failure.js';

/** The metrics' view of a stored result. Only a first grading has an upload-to-result time: a regrade's clock starts at its request, which is not kept. */
async function gradedSample(store: Store, message: Extract<ResultMessage, { type: 'finished' }>): Promise<GradedSample> {
  const { result } = message;
  const uploadedAt = message.gradeNumber === 1 ? (await store.getSubmission(message.submissionId))?.createdAt : undefined;
  const policy = result.provenance?.policy?.name ?? 'unknown';
  return {
    verdict: result.verdict,
    language: result.provenance?.language ?? 'unknown',
    sinceUploadSeconds: uploadedAt === undefined ? null : (Date.now() - Date.parse(uploadedAt)) / 1000,
    gradingSeconds: result.execution_time ?? 0,
    sandboxLaunchMs: result.sandbox_launch_ms ?? [],
    runMs: (result.tests ?? []).map((t) => t.wall_ms).filter((ms) => typeof ms === 'number'),
    incidents: message.incidents.map((i) => ({ policy, syscall: i.syscall })),
  };
}

export function resultIngester(store: Store, metrics: ApiMetrics, logger: Logger): (message: ResultMessage) => Promise<void> {
  return async (message) => {
    // The reference students are shown for a failure, so operators find this grading's lines.
    const log = logger.child({
      submission: message.submissionId, grade: message.gradeNumber, reference: gradingReference(message.submissionId, message.gradeNumber),
      ...(message.requestId === undefined ? {} : { request_id: message.requestId }),
    });
    switch (message.type) {
      case 'started': {
        const { started, attempt } = await store.startAttempt(message.submissionId, message.gradeNumber, { workerId: message.workerId, attempt: message.attempt });
        if (started && attempt > 1) metrics.retried();
        return;
      }
      case 'progress':
        // A `test` event for whoever follows the grading; dropped when the grading has ended meanwhile.
        await store.recordProgress(message.submissionId, message.gradeNumber, { done: message.done, total: message.total, tests: message.tests });
        return;
      case 'finished': {
        const { result } = message;
        const incidents = message.incidents.map((i) => ({ syscall: i.syscall, evidenceSha256: i.evidenceSha256, evidencePath: null, record: i }));
        const { stored } = await store.recordResult(message.submissionId, message.gradeNumber, result,
          { verdict: result.verdict, score: result.score, maxScore: result.max_score, gradable: result.gradable, incidents, startedBy: message.started });
        if (stored) {
          metrics.graded(await gradedSample(store, message));
          if (incidents.length > 0) log.warn({ incidents: message.incidents }, 'security incident during grading');
          log.info({ verdict: result.verdict, score: result.score }, 'graded');
        }
        return;
      }
      case 'failed': {
        // Only a user error's code is kept: it is what lets a student see the message.
        const { stored } = await store.recordFailure(message.submissionId, message.gradeNumber, message.reason, message.userError ? message.code : undefined);
        if (!stored) return;
        if (message.userError) log.info({ reason: message.reason, code: message.code }, 'grading failed for good: a user error');
        else log.error({ reason: message.reason }, 'grading failed for good: an internal failure');
        return;
      }
    }
  };
}
