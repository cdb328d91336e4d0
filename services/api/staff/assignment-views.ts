// How the staff API shows an assignment: its state and schedule, its grader (from the snapshot's
// manifest: language, tests and their visibility, files), its samples, its latest self-test, counts.
import type { z } from 'zod';

import type { assignmentCounts, graderSummary, selfTestView, staffAssignmentView } from '../../protocol/staff-schemas.js';
import type { Assignment, AssignmentCounts, GraderManifest, GraderSample, SelfTest } from '../../store/store.js';

type GraderJson = z.infer<typeof graderSummary>;
type SelfTestJson = z.infer<typeof selfTestView>;

export function graderJson(digest: string, source: string, manifest: GraderManifest): GraderJson {
  return {
    digest, source,
    language: manifest.submissions?.language ?? null, mode: manifest.mode ?? null, extensions: manifest.submissions?.extensions ?? null,
    tests: manifest.testDetails ?? manifest.tests.map((name) => ({ name })),
    files: manifest.files,
  };
}

const FINISHED = new Set(['graded', 'error']);

export function selfTestJson(test: SelfTest, currentDigest: string): SelfTestJson {
  const cases = test.cases.map((c) => ({ name: c.name, expected: c.expectedVerdict, got: c.verdict, status: c.status, submission: c.submissionId })) as SelfTestJson['cases'];
  const failures = test.cases.filter((c) => c.status === 'error' || (c.status === 'graded' && c.verdict !== c.expectedVerdict))
    .map((c) => (c.status === 'error' ? `${c.name} (expected ${c.expectedVerdict}, could not be graded)` : `${c.name} (expected ${c.expectedVerdict}, got ${c.verdict})`));
  const running = test.cases.some((c) => !FINISHED.has(c.status));
  return {
    id: test.id, grader_digest: test.graderDigest, current: test.graderDigest === currentDigest, requested_by: test.requestedBy, created_at: test.createdAt,
    status: running ? 'running' : failures.length > 0 ? 'failed' : 'passed',
    cases, failures,
  };
}

function countsJson(counts: AssignmentCounts): z.infer<typeof assignmentCounts> {
  return {
    submissions: counts.submissions, students: counts.students, by_status: counts.byStatus as Record<string, number>,
    by_verdict: counts.byVerdict, score_histogram: counts.scoreHistogram,
  };
}

export interface AssignmentExtras {
  manifest?: GraderManifest | null;
  counts?: AssignmentCounts;
  samples?: GraderSample[];
  selfTest?: SelfTest | null;
}

export function assignmentJson(a: Assignment, extras: AssignmentExtras = {}): z.infer<typeof staffAssignmentView> {
  return {
    name: a.name, course: a.courseId, state: a.state, due_at: a.dueAt, feedback_released_at: a.feedbackReleasedAt, created_at: a.createdAt, updated_at: a.updatedAt,
    grader: extras.manifest ? graderJson(a.graderDigest, a.graderDir, extras.manifest) : null,
    ...(extras.counts ? { counts: countsJson(extras.counts) } : {}),
    ...(extras.samples ? { samples: extras.samples.map((s) => ({ name: s.name, expected: s.expectedVerdict as SelfTestJson['cases'][number]['expected'], files: s.files.map((f) => f.path) })) } : {}),
    ...(extras.selfTest !== undefined ? { self_test: extras.selfTest ? selfTestJson(extras.selfTest, a.graderDigest) : null } : {}),
  };
}
