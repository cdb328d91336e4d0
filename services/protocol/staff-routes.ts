// The staff API's routes (the instructor side), declared once like the portal's (api-routes.ts):
// the app serves exactly these and the OpenAPI document is made from them. Every route takes a
// staff key or a signed-in session; what each caller may do is the role model's
// (services/access/permissions.ts): a caller that may not is answered 403, another course's
// resource named by its id is as unknown as a missing one (404).
import { z } from 'zod';

import { errorBody, eventCursor } from './api-schemas.js';
import type { HttpRoute, RouteContent, RouteResponse } from './http-route.js';
import { STAFF } from './http-route.js';
import { assignmentName, courseId, submissionId } from './ids.js';
import {
  assignmentEdit, assignmentUpload, auditPage, courseChange, courseCreate, courseView, cursor, graderSummary, incidentDetail, incidentPage,
  incidentTriage, keyCreate, keyCreated, keyView, meView, memberAdd, memberView, pageLimit, passwordReset, queueView, regradeRequest,
  regradeView, selfTestView, staffAssignmentView, submissionFilePath, submissionPage, submissionRecord, triageState, userCreate, userCreated, userView,
} from './staff-schemas.js';

function json(schema?: RouteContent['schema']): RouteContent {
  return { type: 'application/json', schema };
}

const error: RouteResponse = { description: 'What was wrong, and how to fix it', content: json(errorBody) };
const refused: RouteResponse = { description: 'The caller\'s role does not allow it', content: json(errorBody) };
const ok = (description: string, schema?: RouteContent['schema']): RouteResponse => ({ description, content: json(schema) });
const common = { 401: error, 403: refused };

const course = { course: courseId };
const assignment = { course: courseId, name: assignmentName };
const keyId = z.string().regex(/^key_[A-Za-z0-9_-]{12}$/, 'must be a key id: key_ and 12 characters');
const userId = z.string().regex(/^usr_[A-Za-z0-9_-]{16}$/, 'must be a user id: usr_ and 16 characters');
const incidentId = z.coerce.number().int().min(1).describe('An incident id');
const regradeId = z.string().regex(/^rg_[A-Za-z0-9_-]{16}$/, 'must be a regrade id: rg_ and 16 characters');
const graderZip: RouteContent = { type: 'multipart/form-data', schema: assignmentUpload };

export const staffRoutes = {
  me: {
    method: 'get', path: '/v1/me', summary: 'Who the caller is: a person (with the session\'s CSRF token) or a key, and its role in each course',
    security: ['courseKey', ...STAFF], responses: { 200: ok('The caller', meView), 401: error },
  },
  courses: {
    method: 'get', path: '/v1/courses', summary: 'The courses the caller may see', security: STAFF,
    responses: { 200: ok('Courses', z.array(courseView)), ...common },
  },
  createCourse: {
    method: 'post', path: '/v1/courses', summary: 'Create a course (admins)', security: STAFF, body: json(courseCreate),
    responses: { 201: ok('Created', courseView), 400: error, ...common, 409: error },
  },
  course: {
    method: 'get', path: '/v1/courses/{course}', summary: 'A course', security: STAFF, params: course,
    responses: { 200: ok('The course', courseView), ...common, 404: error },
  },
  changeCourse: {
    method: 'patch', path: '/v1/courses/{course}', summary: 'Rename, archive or reopen a course (instructors)', security: STAFF, params: course,
    body: json(courseChange), responses: { 200: ok('The course', courseView), 400: error, ...common, 404: error },
  },
  courseAssignments: {
    method: 'get', path: '/v1/courses/{course}/assignments', summary: 'A course\'s assignments with their submissions counted', security: STAFF,
    params: course, responses: { 200: ok('Assignments', z.array(staffAssignmentView)), ...common, 404: error },
  },
  createAssignment: {
    method: 'post', path: '/v1/courses/{course}/assignments', security: STAFF, params: course, body: graderZip,
    summary: 'Create an assignment (a draft) from an uploaded grader: checked and snapshotted, its samples kept for the self-test (instructors)',
    responses: { 201: ok('The draft assignment', staffAssignmentView), 400: error, ...common, 404: error, 409: error, 413: error, 415: error, 422: error },
  },
  validateGrader: {
    method: 'post', path: '/v1/courses/{course}/graders/validate', security: STAFF, params: course, body: graderZip,
    summary: 'Check an uploaded grader without keeping anything: what it holds, or what is wrong with it (instructors)',
    responses: { 200: ok('The grader is valid', z.object({ grader: graderSummary, samples: z.array(z.looseObject({})) })), 400: error, ...common, 413: error, 415: error, 422: error },
  },
  assignment: {
    method: 'get', path: '/v1/courses/{course}/assignments/{name}', summary: 'An assignment: grader, samples, latest self-test, counts', security: STAFF,
    params: assignment, responses: { 200: ok('The assignment', staffAssignmentView), ...common, 404: error },
  },
  editAssignment: {
    method: 'patch', path: '/v1/courses/{course}/assignments/{name}', security: STAFF, params: assignment, body: json(assignmentEdit),
    summary: 'Set the due date and/or release the feedback (instructors); nothing is regraded',
    responses: { 200: ok('The assignment', staffAssignmentView), 400: error, ...common, 404: error },
  },
  replaceGrader: {
    method: 'put', path: '/v1/courses/{course}/assignments/{name}/grader', security: STAFF, params: assignment, body: graderZip,
    summary: 'Point the assignment at a newly uploaded grader; says what changed (instructors). Nothing is regraded: ask for it (POST /v1/regrades)',
    responses: { 200: ok('The assignment and what changed', z.object({ assignment: staffAssignmentView, changes: z.array(z.string()) })), 400: error, ...common, 404: error, 413: error, 415: error, 422: error },
  },
  startSelfTest: {
    method: 'post', path: '/v1/courses/{course}/assignments/{name}/self-test', security: STAFF, params: assignment,
    summary: 'Grade every sample of the current grader through the workers; each must get its expected verdict (instructors)',
    responses: { 202: ok('Started', selfTestView), ...common, 404: error },
  },
  selfTest: {
    method: 'get', path: '/v1/courses/{course}/assignments/{name}/self-test', summary: 'The latest self-test and where each sample stands', security: STAFF,
    params: assignment, responses: { 200: ok('The self-test', selfTestView), ...common, 404: error },
  },
  publish: {
    method: 'post', path: '/v1/courses/{course}/assignments/{name}/publish', security: STAFF, params: assignment,
    summary: 'Open the assignment to uploads; refused (409, with the failing samples) unless a self-test of its current grader passed (instructors)',
    responses: { 200: ok('Published', staffAssignmentView), ...common, 404: error, 409: error },
  },
  archiveAssignment: {
    method: 'post', path: '/v1/courses/{course}/assignments/{name}/archive', summary: 'Close the assignment to uploads (instructors)', security: STAFF,
    params: assignment, responses: { 200: ok('Archived', staffAssignmentView), ...common, 404: error },
  },
  keys: {
    method: 'get', path: '/v1/courses/{course}/keys', summary: 'The course\'s keys (never their secrets) (instructors)', security: STAFF,
    params: course, responses: { 200: ok('Keys', z.array(keyView)), ...common, 404: error },
  },
  createKey: {
    method: 'post', path: '/v1/courses/{course}/keys', summary: 'A new key, its secret shown once (instructors)', security: STAFF,
    params: course, body: json(keyCreate), responses: { 201: ok('Created', keyCreated), 400: error, ...common, 404: error },
  },
  revokeKey: {
    method: 'post', path: '/v1/courses/{course}/keys/{key}/revoke', summary: 'Revoke a key at once (instructors)', security: STAFF,
    params: { course: courseId, key: keyId }, responses: { 200: ok('Revoked', keyView), ...common, 404: error },
  },
  members: {
    method: 'get', path: '/v1/courses/{course}/people', summary: 'The course\'s staff and their roles', security: STAFF,
    params: course, responses: { 200: ok('People', z.array(memberView)), ...common, 404: error },
  },
  addMember: {
    method: 'post', path: '/v1/courses/{course}/people', summary: 'Give a person (by email) a role in the course (instructors)', security: STAFF,
    params: course, body: json(memberAdd), responses: { 200: ok('Their role', memberView), 400: error, ...common, 404: error },
  },
  removeMember: {
    method: 'post', path: '/v1/courses/{course}/people/{user}/remove', summary: 'Take a person\'s role in the course away (instructors)', security: STAFF,
    params: { course: courseId, user: userId }, responses: { 204: { description: 'Removed' }, ...common, 404: error },
  },
  users: {
    method: 'get', path: '/v1/users', summary: 'Every account (admins)', security: STAFF,
    responses: { 200: ok('Users', z.array(userView)), ...common },
  },
  createUser: {
    method: 'post', path: '/v1/users', summary: 'A new account with a generated password, shown once (admins)', security: STAFF,
    body: json(userCreate), responses: { 201: ok('Created', userCreated), 400: error, ...common, 404: error, 409: error },
  },
  resetPassword: {
    method: 'post', path: '/v1/users/{user}/password', summary: 'A new generated password for an account, shown once; its sessions end (admins)', security: STAFF,
    params: { user: userId }, responses: { 200: ok('The new password', passwordReset), ...common, 404: error },
  },
  submissions: {
    method: 'get', path: '/v1/submissions', summary: 'A course\'s submissions, newest first, filtered; a page at a time', security: STAFF,
    query: {
      course: courseId.describe('Required'), assignment: assignmentName, student: z.string().max(200), verdict: z.string().max(10),
      status: z.string().max(10), since: z.string().max(40).describe('ISO-8601: made at or after'), until: z.string().max(40).describe('ISO-8601: made before'),
      cursor, limit: pageLimit,
    },
    responses: { 200: ok('A page', submissionPage), 400: error, ...common },
  },
  scores: {
    method: 'get', path: '/v1/courses/{course}/scores.csv', summary: 'Each student\'s newest submission per assignment, with its score, as CSV', security: STAFF,
    params: course, query: { assignment: assignmentName },
    responses: { 200: { description: 'CSV (RFC 4180) with a header line', content: { type: 'text/csv' } }, ...common, 404: error },
  },
  submissionRecord: {
    method: 'get', path: '/v1/submissions/{id}/record', security: STAFF, params: { id: submissionId },
    summary: 'One submission for its staff: files, every grading (what the student saw and the whole result), attempts, events, incidents',
    responses: { 200: ok('The record', submissionRecord), ...common, 404: error },
  },
  submissionFile: {
    method: 'get', path: '/v1/submissions/{id}/file', summary: 'One file of a submission, as the student sent it', security: STAFF,
    params: { id: submissionId }, query: { path: submissionFilePath },
    responses: { 200: { description: 'The bytes (never rendered: an attachment)', content: { type: 'application/octet-stream' } }, ...common, 404: error },
  },
  regrades: {
    method: 'post', path: '/v1/regrades', summary: 'Grade again every submission a filter takes (below fresh submissions in the queue)', security: STAFF,
    body: json(regradeRequest), responses: { 202: ok('Queued; follow its progress', regradeView), 400: error, ...common, 404: error },
  },
  regrade: {
    method: 'get', path: '/v1/regrades/{id}', summary: 'How far a regrade by filter has got', security: STAFF,
    params: { id: regradeId }, responses: { 200: ok('Its progress', regradeView), ...common, 404: error },
  },
  incidents: {
    method: 'get', path: '/v1/incidents', summary: 'Security incidents (a forbidden system call), newest first', security: STAFF,
    query: { course: courseId.describe('Required unless the caller is an admin'), state: triageState, cursor, limit: pageLimit },
    responses: { 200: ok('A page', incidentPage), 400: error, ...common },
  },
  incident: {
    method: 'get', path: '/v1/incidents/{id}', summary: 'An incident: the offender, the policy, its audit log lines, its evidence\'s manifest', security: STAFF,
    params: { id: incidentId }, responses: { 200: ok('The incident', incidentDetail), ...common, 404: error },
  },
  incidentEvidence: {
    method: 'get', path: '/v1/incidents/{id}/evidence', security: STAFF, params: { id: incidentId },
    summary: 'The evidence archive, sent only once its sha256 is checked again (the digest in X-Content-SHA256)',
    responses: { 200: { description: 'The archive', content: { type: 'application/octet-stream' } }, ...common, 404: error },
  },
  triageIncident: {
    method: 'patch', path: '/v1/incidents/{id}', summary: 'Triage an incident: new, reviewed, dismissed or escalated, with a note (instructors)', security: STAFF,
    params: { id: incidentId }, body: json(incidentTriage), responses: { 200: ok('The incident', incidentDetail), 400: error, ...common, 404: error },
  },
  queue: {
    method: 'get', path: '/v1/queue', summary: 'The queue and the workers: depth by state and course, workers and their slots, recent throughput and latency', security: STAFF,
    responses: { 200: ok('Now', queueView), ...common },
  },
  queueEvents: {
    method: 'get', path: '/v1/queue/events', summary: 'Server-sent `queue` events (the same as GET /v1/queue) every 2 s while the stream is open', security: STAFF,
    headers: { 'Last-Event-ID': eventCursor },
    responses: { 200: { description: 'An event stream; it ends after its longest life (reconnect)', content: { type: 'text/event-stream' } }, ...common, 429: error },
  },
  audit: {
    method: 'get', path: '/v1/audit', summary: 'The staff audit trail, newest first: who changed which course, grader, key, release or role, and when', security: STAFF,
    query: { course: courseId.describe('Required unless the caller is an admin'), cursor, limit: pageLimit },
    responses: { 200: ok('A page', auditPage), 400: error, ...common },
  },
} satisfies Record<string, HttpRoute>;
