// What the API's routes take and answer, as zod schemas: the routes check their input with them,
// their answers are typed by them, and the OpenAPI document is made from them (services/api/openapi.ts).
import { z } from 'zod';

import { VERDICTS } from './grade-result.js';
import { assignmentName, submissionId } from './ids.js';
import { resultMessageSchema } from './result-message.js';
import { SUBMISSION_STATUSES } from './submission-status.js';

/** Every 4xx (and the 500's reference sentence) is this. */
export const errorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

export const submissionStatus = z.enum(SUBMISSION_STATUSES);

export const accepted = z.object({
  id: submissionId,
  status: submissionStatus.describe('queued; an upload sent again with its Idempotency-Key answers the submission\'s status now'),
});

/** A student, as the course knows them. */
export const studentName = z.string().regex(/^[\p{L}\p{N}._@+-]{1,128}$/u, 'must be 1 to 128 letters, digits or . _ @ + -');

export const idempotencyKey = z.string().max(200).regex(/^[\x21-\x7e]{1,200}$/, 'must be 1 to 200 visible ASCII characters')
  .describe('The same key twice gives one submission');

/** Where an event stream resumes: after this event id (a header, or `?after=` for a client that cannot set one). */
export const eventCursor = z.coerce.number().int().min(0).describe('Resume after this event');

export const retryAfterSeconds = z.int().min(0).describe('Seconds to wait before sending it again');

/** The multipart form of an upload (read by services/api/upload/, which also caps it). */
export const submissionUpload = z.object({
  assignment: z.string(),
  student: studentName,
  files: z.array(z.string().meta({ format: 'binary' })).optional().describe('Source files, or exactly one .zip / .tar.gz'),
  entry: z.string().optional().describe('The file the program starts from, by its path in the upload (when several files could be; a grader\'s own entry wins)'),
});

const time = z.iso.datetime();
const verdict = z.enum(VERDICTS);

/** A test as a student may see it: a hidden test only its score. */
const shownTest = z.looseObject({
  name: z.string(),
  score: z.number(),
  max_score: z.number(),
  status: z.enum(['passed', 'failed', 'not_run']).describe('not_run: an earlier test failed and the grader stops at the first failure'),
  visibility: z.string(),
  output: z.string().optional(),
  verdict: verdict.nullable().optional().describe('Null for a test that did not run'),
  cpu_ms: z.number().optional(),
  wall_ms: z.number().optional(),
  memory_kb: z.number().optional(),
});

export const resultView = z.looseObject({
  score: z.number().nullable().describe('Null while tests are withheld'),
  max_score: z.number(),
  execution_time: z.number(),
  output: z.string(),
  verdict: verdict.nullable().describe('Null while tests are withheld'),
  gradable: z.boolean(),
  tests: z.array(shownTest),
  withheld: z.object({ after_due_date: z.int().min(0), after_published: z.int().min(0) })
    .describe('Tests left out for now, by the visibility that withholds them'),
  provenance: z.looseObject({}),
});

export const submissionView = z.object({
  id: submissionId,
  status: submissionStatus,
  assignment: z.string(),
  student: z.string(),
  created_at: time,
  updated_at: time.describe('Last change of status: when it was graded, once graded'),
  error: z.string().nullable()
    .describe('Why the submission could not be graded (status error): the student\'s own mistake, or a sentence saying it was not theirs with error_reference'),
  error_reference: z.string().nullable()
    .describe('Under which operators find the failure\'s detail (status error): `<submission>.<grade number>`'),
  result: resultView.nullable()
    .describe('The grading result as the student may see it now (a superset of Gradescope\'s results.json): hidden tests show only their score; after_due_date tests nothing before the due date, after_published tests nothing before the release, and while any is withheld score and verdict are null'),
});

export const assignmentView = z.object({
  name: assignmentName,
  due_at: time.nullable().describe('after_due_date tests are withheld until then; null: no due date (withheld)'),
  feedback_released: z.boolean().describe('after_published tests are withheld until released'),
  feedback_released_at: time.nullable(),
  updated_at: time,
});

/** The route also refuses a change that changes nothing (the minProperties below). */
export const assignmentChange = z.strictObject({
  due_at: z.string().nullable().optional()
    .describe('ISO-8601 with its zone (2026-05-01T23:59:00+02:00), or null for no due date'),
  feedback_released: z.boolean().optional()
    .describe('true releases the after_published feedback now; false withholds it again'),
}).meta({ minProperties: 1 });

export const healthAnswer = z.object({ status: z.literal('ok') });
export const readyAnswer = z.object({ status: z.literal('ready') });

/** The schemas the OpenAPI document names (components.schemas), by their names there. */
export const namedSchemas: Record<string, z.ZodType> = {
  Error: errorBody,
  Accepted: accepted,
  Submission: submissionView,
  Result: resultView,
  Assignment: assignmentView,
  AssignmentChange: assignmentChange,
  SubmissionUpload: submissionUpload,
  ResultMessage: resultMessageSchema,
};
