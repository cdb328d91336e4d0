// What both backends share about the staff's batch work, regrades by filter and self-tests: the
// rows (the same columns in SQLite and PostgreSQL) and their mapping; each backend keeps its SQL.
import type { GraderSample, RegradeBatch, RegradeFilter, SelfTest, SelfTestCase, SubmissionStatus } from './store.js';

export interface BatchRow {
  id: string;
  course_id: string;
  filter_json: string;
  requested_by: string;
  created_at: string;
}

/** A batch's progress, counted from its items' results (PostgreSQL's counts come as strings). */
export interface BatchCounts {
  total: number | string;
  done: number | string;
  failed: number | string;
}

export const toRegradeBatch = (row: BatchRow, counts: BatchCounts): RegradeBatch => ({
  id: row.id, courseId: row.course_id, filter: JSON.parse(row.filter_json) as RegradeFilter, requestedBy: row.requested_by, createdAt: row.created_at,
  total: Number(counts.total), done: Number(counts.done), failed: Number(counts.failed),
});

export interface SampleRow {
  name: string;
  expected_verdict: string;
  files_json: string;
}

export const toGraderSample = (r: SampleRow): GraderSample => ({ name: r.name, expectedVerdict: r.expected_verdict, files: JSON.parse(r.files_json) as GraderSample['files'] });

export interface CaseRow {
  name: string;
  expected_verdict: string;
  submission_id: string;
  status: SubmissionStatus;
  verdict: string | null;
}

export const toSelfTestCase = (r: CaseRow): SelfTestCase => ({
  name: r.name, expectedVerdict: r.expected_verdict, submissionId: r.submission_id, status: r.status, verdict: r.verdict,
});

export interface SelfTestRow {
  id: string;
  assignment_id: number;
  grader_digest: string;
  requested_by: string;
  created_at: string;
}

export const toSelfTest = (row: SelfTestRow, cases: SelfTestCase[]): SelfTest => ({
  id: row.id, assignmentId: Number(row.assignment_id), graderDigest: row.grader_digest, requestedBy: row.requested_by, createdAt: row.created_at, cases,
});
