// The core tables' rows as every backend reads them (times as ISO-8601 text, JSON columns as their
// text, ids and counts as numbers), and the store's objects made from them: one mapper per table,
// whichever backend ran the query.
import type {
  ApiKeyInfo, Assignment, AssignmentState, EventType, GradeKind, Incident, KeyScope, OutboxRow, StoreEvent, Submission, SubmissionPurpose, SubmissionStatus,
  TriageState,
} from './store.js';

export interface SubmissionRow {
  id: string;
  course_id: string;
  assignment_id: number;
  assignment_name: string;
  student: string;
  status: SubmissionStatus;
  grade_number: number;
  attempts: number;
  file_count: number;
  total_bytes: number;
  entry: string | null;
  created_at: string;
  updated_at: string;
  error: string | null;
  error_code: string | null;
  result_json: string | null;
  result_grade_number: number | null;
  purpose: SubmissionPurpose;
}

export const toSubmission = (r: SubmissionRow): Submission => ({
  id: r.id, courseId: r.course_id, assignmentId: r.assignment_id, assignmentName: r.assignment_name, student: r.student,
  status: r.status, gradeNumber: r.grade_number, attempts: r.attempts, fileCount: r.file_count, totalBytes: r.total_bytes,
  entry: r.entry, createdAt: r.created_at, updatedAt: r.updated_at, error: r.error, errorCode: r.error_code,
  result: r.result_json === null ? null : JSON.parse(r.result_json) as Record<string, unknown>,
  resultGradeNumber: r.result_grade_number,
  purpose: r.purpose,
});

export interface IncidentRow {
  id: number;
  submission_id: string;
  grade_number: number;
  course_id: string;
  syscall: string;
  evidence_sha256: string | null;
  evidence_path: string | null;
  record_json: string;
  created_at: string;
  triage_state: TriageState;
  triage_note: string | null;
  triaged_by: string | null;
  triaged_at: string | null;
}

export const toIncident = (r: IncidentRow): Incident => ({
  id: r.id, submissionId: r.submission_id, gradeNumber: r.grade_number, courseId: r.course_id, syscall: r.syscall,
  evidenceSha256: r.evidence_sha256, evidencePath: r.evidence_path, record: JSON.parse(r.record_json) as Record<string, unknown>,
  createdAt: r.created_at,
  triage: { state: r.triage_state, note: r.triage_note, by: r.triaged_by, at: r.triaged_at },
});

export interface AssignmentRow {
  id: number;
  course_id: string;
  name: string;
  grader_dir: string;
  grader_digest: string;
  due_at: string | null;
  feedback_released_at: string | null;
  state: AssignmentState;
  created_at: string;
  updated_at: string;
}

export const toAssignment = (r: AssignmentRow): Assignment => ({
  id: r.id, courseId: r.course_id, name: r.name, graderDir: r.grader_dir, graderDigest: r.grader_digest,
  dueAt: r.due_at, feedbackReleasedAt: r.feedback_released_at, state: r.state, createdAt: r.created_at, updatedAt: r.updated_at,
});

export interface ApiKeyRow {
  id: string;
  course_id: string;
  label: string | null;
  prefix: string;
  scope: KeyScope;
  secret_sha256: Buffer;
  created_at: string;
  revoked_at: string | null;
  expires_at: string | null;
}

export const toKeyInfo = (r: ApiKeyRow): ApiKeyInfo => ({
  id: r.id, courseId: r.course_id, label: r.label, prefix: r.prefix, scope: r.scope,
  createdAt: r.created_at, revokedAt: r.revoked_at, expiresAt: r.expires_at,
});

/** An outbox row with what the job needs of its submission and assignment (the outbox queries join them). */
export interface OutboxJoinRow {
  id: number;
  submission_id: string;
  kind: GradeKind;
  grade_number: number;
  created_at: string;
  course_id: string;
  grader_digest: string;
  entry: string | null;
  request_id: string | null;
}

export const toOutboxRow = (r: OutboxJoinRow): OutboxRow => ({
  id: r.id, submissionId: r.submission_id, kind: r.kind, gradeNumber: r.grade_number, createdAt: r.created_at,
  courseId: r.course_id, graderDigest: r.grader_digest, entry: r.entry, requestId: r.request_id,
});

export interface EventRow {
  submission_id: string;
  seq: number;
  type: EventType;
  data_json: string;
  created_at: string;
}

export const toEvent = (r: EventRow): StoreEvent => ({
  submissionId: r.submission_id, seq: r.seq, type: r.type, data: JSON.parse(r.data_json) as Record<string, unknown>, createdAt: r.created_at,
});
