// How the staff API shows submissions: a summary row for listings, and one submission's whole
// record for its staff: what the student sees now, and every grading as it was made (every test's
// output, hidden ones too). The operators' own fields (internal problems, host paths, a failure's
// detail) are for admins; other staff get the grading's reference to ask them.
import type { z } from 'zod';

import type { GradeResult } from '../../protocol/grade-result.js';
import type { submissionRecord, submissionSummary } from '../../protocol/staff-schemas.js';
import type { GradingOutcome, Incident, Store, Submission } from '../../store/store.js';
import { gradingReference, studentFailureMessage } from '../student-failure.js';
import { studentSubmission } from '../student-submission.js';
import { incidentJson } from './incident-views.js';

type Summary = z.infer<typeof submissionSummary>;
type RecordJson = z.infer<typeof submissionRecord>;

export function summaryJson(s: Submission): Summary {
  const result = s.result as { verdict?: Summary['verdict']; score?: number; max_score?: number } | null;
  return {
    id: s.id, course: s.courseId, assignment: s.assignmentName, student: s.student, status: s.status,
    verdict: result?.verdict ?? null, score: result?.score ?? null, max_score: result?.max_score ?? null,
    grade_number: s.gradeNumber, attempts: s.attempts, files: s.fileCount, bytes: s.totalBytes, created_at: s.createdAt, updated_at: s.updatedAt,
  };
}

/** A grading's result for staff: all of it for admins; without the operators' fields for the others. */
function stafferResult(result: Record<string, unknown> | null, operator: boolean): Record<string, unknown> | null {
  if (!result || operator) return result;
  const { internal_problems: _problems, sandbox_launch_ms: _launches, incidents: _incidents, provenance, ...rest } = result as Partial<GradeResult> & Record<string, unknown>;
  const { grader_dir: _dir, ...publicProvenance } = (provenance ?? {}) as Record<string, unknown>;
  return { ...rest, provenance: publicProvenance };
}

function gradingJson(submission: Submission, g: GradingOutcome, operator: boolean): RecordJson['gradings'][number] {
  const reference = gradingReference(submission.id, g.gradeNumber);
  const error = g.error === null ? null
    : operator ? g.error : studentFailureMessage({ message: g.error, code: g.gradeNumber === submission.gradeNumber ? submission.errorCode : null }, reference);
  return { grade_number: g.gradeNumber, outcome: g.outcome, created_at: g.createdAt, reference, result: stafferResult(g.result, operator), error };
}

export async function submissionRecordJson(store: Store, s: Submission, operator: boolean): Promise<RecordJson> {
  const failed = s.status === 'error' && s.error !== null;
  const reference = gradingReference(s.id, s.gradeNumber);
  const incidents: Incident[] = await store.listIncidents({ submissionId: s.id });
  return {
    submission: {
      ...summaryJson(s),
      error: failed ? (operator ? s.error : studentFailureMessage({ message: s.error!, code: s.errorCode }, reference)) : null,
      error_reference: failed ? reference : null,
    },
    files: await store.listSubmissionFiles(s.id),
    student_view: await studentSubmission(store, s),
    gradings: (await store.listGradings(s.id)).map((g) => gradingJson(s, g, operator)),
    attempts: (await store.listAttempts(s.id)).map((a) => ({ grade_number: a.gradeNumber, worker: a.workerId, attempt: a.attempt, started_at: a.startedAt })),
    events: (await store.listEvents(s.id)).map((e) => ({ seq: e.seq, type: e.type, at: e.createdAt, data: e.data })),
    incidents: incidents.map(incidentJson),
  };
}
