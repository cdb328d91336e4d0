// What the staff API takes and answers (the instructor side: courses, assignments, keys, people,
// submissions, regrades, incidents, the queue, the audit trail), as zod schemas: the routes check
// their input with them and the OpenAPI document is made from them.
import { z } from 'zod';

import { assignmentChange, submissionView } from './api-schemas.js';
import { VERDICTS } from './grade-result.js';
import { assignmentName, courseId, submissionId } from './ids.js';
import { SUBMISSION_STATUSES } from './submission-status.js';

const time = z.iso.datetime();
const verdict = z.enum(VERDICTS);
const status = z.enum(SUBMISSION_STATUSES);
const email = z.string().max(254).regex(/^[^\s@]+@[^\s@]+$/, 'must be an email address');
const title = z.string().min(1).max(200);

export const courseRole = z.enum(['instructor', 'ta']);
export const keyScope = z.enum(['portal', 'staff']);
export const triageState = z.enum(['new', 'reviewed', 'dismissed', 'escalated']);
export const assignmentState = z.enum(['draft', 'published', 'archived']);

/** A page's continuation: opaque, given back as `cursor` for the next page. */
export const cursor = z.string().max(200).regex(/^[A-Za-z0-9_-]+$/).describe('From next_cursor of the page before');
export const pageLimit = z.coerce.number().int().min(1).max(500).describe('At most this many (default 100)');
/** A listing's text filter (a student, a verdict, a status, a date). */
export const filterText = z.string().max(200);
/** A file's path in a submission, as its record lists it. */
export const submissionFilePath = z.string().min(1).max(1024).describe('Its path in the submission, as the record lists it');

export const userView = z.object({
  id: z.string(), email: z.string().nullable(), name: z.string().nullable(), admin: z.boolean(), has_password: z.boolean(),
  created_at: time, disabled_at: time.nullable(),
});

export const meView = z.object({
  kind: z.enum(['user', 'key']),
  user: userView.nullable(),
  key: z.object({ id: z.string(), course: courseId, scope: keyScope }).nullable(),
  admin: z.boolean(),
  roles: z.record(z.string(), z.enum(['instructor', 'ta', 'staff_key'])).describe('The caller\'s role in each course it may see'),
  csrf_token: z.string().nullable().describe('A session\'s token: send it as X-CSRF-Token with every request that changes anything'),
});

export const courseView = z.object({
  id: courseId, name: z.string(), created_at: time, archived_at: time.nullable(),
  role: z.enum(['admin', 'instructor', 'ta', 'staff_key']).describe('The caller\'s role in it'),
});
export const courseCreate = z.strictObject({ id: courseId, name: title.optional() });
export const courseChange = z.strictObject({
  name: title.optional(),
  archived: z.boolean().optional().describe('true archives the course (no uploads; read-only); false reopens it'),
}).meta({ minProperties: 1 });

const graderTest = z.looseObject({ name: z.string(), visibility: z.string().optional(), points: z.number().optional(), checker: z.string().optional() });
export const graderSummary = z.object({
  digest: z.string(), source: z.string().describe('Where it came from: a folder, or upload:FILE'),
  language: z.string().nullable(), mode: z.string().nullable(), extensions: z.array(z.string()).nullable(),
  tests: z.array(graderTest), files: z.array(z.object({ path: z.string(), size: z.number(), sha256: z.string() })),
});

export const selfTestView = z.object({
  id: z.string(), grader_digest: z.string(), current: z.boolean().describe('Made with the assignment\'s grader as it is now'),
  requested_by: z.string(), created_at: time,
  status: z.enum(['running', 'passed', 'failed']),
  cases: z.array(z.object({ name: z.string(), expected: verdict, got: verdict.nullable(), status, submission: submissionId })),
  failures: z.array(z.string()).describe('The cases whose verdict is not the expected one (or that could not be graded)'),
});

export const assignmentCounts = z.object({
  submissions: z.int(), students: z.int(),
  by_status: z.record(z.string(), z.int()), by_verdict: z.record(z.string(), z.int()).describe('Each student\'s newest graded submission'),
  score_histogram: z.array(z.int()).describe('Each student\'s newest graded submission by score / max score, in ten bins of 10 %'),
});

export const staffAssignmentView = z.object({
  name: assignmentName, course: courseId, state: assignmentState,
  due_at: time.nullable(), feedback_released_at: time.nullable(), created_at: time, updated_at: time,
  grader: graderSummary.nullable().describe('Null for an assignment added before graders were snapshotted'),
  counts: assignmentCounts.optional(),
  samples: z.array(z.object({ name: z.string(), expected: verdict, files: z.array(z.string()) })).optional(),
  self_test: selfTestView.nullable().optional(),
});

export const assignmentUpload = z.object({
  name: assignmentName.describe('Required to create; ignored when replacing a grader'),
  grader: z.string().meta({ format: 'binary' }).describe('The grader folder as one .zip (grader.yaml at its top or in its one folder); submissions/ holds samples with their verdicts'),
  format: z.enum(['gradebox', 'kattis']).optional().describe('gradebox (default): a grader folder; kattis: a Kattis problem package'),
  due_at: z.string().optional(),
});
export const assignmentEdit = assignmentChange;

export const keyView = z.object({
  id: z.string(), course: courseId, label: z.string().nullable(), prefix: z.string(), scope: keyScope,
  created_at: time, expires_at: time.nullable(), revoked_at: time.nullable(),
});
export const keyCreate = z.strictObject({
  scope: keyScope.optional().describe('portal (default): the course portal\'s routes; staff: the instructor API'),
  label: z.string().min(1).max(100).optional(),
  expires_days: z.int().min(1).max(3650).optional().describe('The key stops working after this many days; none: never'),
});
export const keyCreated = z.object({ key: keyView, secret: z.string().describe('Shown once: only its hash is kept') });

export const userCreate = z.strictObject({
  email, name: title.optional(), admin: z.boolean().optional(),
  course: courseId.optional(), role: courseRole.optional().describe('With course: the new user\'s role there'),
});
export const userCreated = z.object({ user: userView, password: z.string().describe('Generated; shown once') });
export const passwordReset = z.object({ user: userView, password: z.string().describe('Generated; shown once; every session of the user ends') });
export const memberView = z.object({ user: userView, role: courseRole, since: time });
export const memberAdd = z.strictObject({ email, role: courseRole });

export const submissionSummary = z.object({
  id: submissionId, course: courseId, assignment: z.string(), student: z.string(), status,
  verdict: verdict.nullable(), score: z.number().nullable(), max_score: z.number().nullable(),
  grade_number: z.int(), attempts: z.int(), files: z.int(), bytes: z.int(), created_at: time, updated_at: time,
});
export const submissionPage = z.object({ submissions: z.array(submissionSummary), next_cursor: cursor.nullable() });

export const submissionRecord = z.object({
  submission: submissionSummary.extend({ error: z.string().nullable(), error_reference: z.string().nullable() }),
  files: z.array(z.object({ path: z.string(), size: z.int(), sha256: z.string() })),
  student_view: submissionView.describe('What the student sees now'),
  gradings: z.array(z.looseObject({
    grade_number: z.int(), outcome: z.enum(['graded', 'error']), created_at: time, reference: z.string(),
    result: z.looseObject({}).nullable().describe('The whole result: every test\'s output, hidden ones too (operators\' fields for admins only)'),
    error: z.string().nullable().describe('Why it failed: the student\'s own message, or (admins) the detail'),
  })),
  attempts: z.array(z.object({ grade_number: z.int(), worker: z.string(), attempt: z.int().nullable(), started_at: time })),
  events: z.array(z.object({ seq: z.int(), type: z.string(), at: time, data: z.looseObject({}) })),
  incidents: z.array(z.looseObject({ id: z.int() })),
});

export const regradeRequest = z.strictObject({
  course: courseId, assignment: assignmentName.optional(), student: z.string().max(200).optional(),
  verdict: verdict.optional(), status: status.optional(), since: z.string().optional(), until: z.string().optional(),
});
export const regradeView = z.object({
  id: z.string(), course: courseId, filter: z.looseObject({}), requested_by: z.string(), created_at: time,
  total: z.int(), done: z.int(), failed: z.int(), status: z.enum(['running', 'done']),
});

export const incidentView = z.object({
  id: z.int(), course: courseId, submission: submissionId, grade_number: z.int(), test: z.string().nullable(), syscall: z.string(),
  created_at: time, triage: z.object({ state: triageState, note: z.string().nullable(), by: z.string().nullable(), at: time.nullable() }),
  evidence: z.object({ sha256: z.string(), stored: z.boolean() }).nullable(),
});
export const incidentDetail = incidentView.extend({
  offender: z.looseObject({}).nullable().describe('The violation as the audit log recorded it: syscall, arguments, pid, command line, policy'),
  audit: z.array(z.looseObject({ seq: z.int(), type: z.string(), hash: z.string() })).describe('The security audit log\'s lines of this incident, as the worker wrote them (gradebox audit verify on that host checks them)'),
  manifest: z.unknown().nullable().describe('What the evidence archive holds (path, size, sha256 per file)'),
});
export const incidentPage = z.object({ incidents: z.array(incidentView), next_cursor: cursor.nullable() });
export const incidentTriage = z.strictObject({ state: triageState, note: z.string().max(4000).nullable().optional() });

export const queueView = z.object({
  jobs: z.record(z.string(), z.int()).nullable().describe('Grading jobs by state in the queue; null while Redis does not answer'),
  by_course: z.array(z.object({ course: courseId, queued: z.int(), running: z.int() })),
  workers: z.array(z.object({ id: z.string(), slots: z.int(), busy: z.int(), cpus: z.string(), started_at: time, seen_at: time })).nullable(),
  throughput: z.object({ last_5_minutes: z.int(), last_hour: z.int() }),
  latency_ms: z.object({ p50: z.number().nullable(), p95: z.number().nullable() }).describe('From upload to result, first gradings of the last hour'),
});

export const auditPage = z.object({ entries: z.array(z.looseObject({ seq: z.int(), type: z.string(), time: z.string() })), next_cursor: cursor.nullable() });

export const staffSchemas: Record<string, z.ZodType> = {
  Me: meView, User: userView, Course: courseView, StaffAssignment: staffAssignmentView, GraderSummary: graderSummary, SelfTest: selfTestView,
  Key: keyView, Member: memberView, SubmissionSummary: submissionSummary, SubmissionRecord: submissionRecord, Regrade: regradeView,
  Incident: incidentView, IncidentDetail: incidentDetail, Queue: queueView,
};
