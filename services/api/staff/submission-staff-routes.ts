// A course's submissions for its staff: listed and filtered a page at a time, one submission's
// record, one of its files, the scores as CSV, and regrades of every submission a filter takes
// (a batch whose progress can be followed).
import express, { Router, type Request, type Response } from 'express';

import { actorName } from '../../access/actor.js';
import { mayGlobally } from '../../access/permissions.js';
import { staffRoutes } from '../../protocol/staff-routes.js';
import { cursor as cursorSchema, filterText, pageLimit, regradeRequest, submissionFilePath } from '../../protocol/staff-schemas.js';
import { assignmentName, courseId as courseIdSchema, isSubmissionId } from '../../protocol/ids.js';
import type { RegradeBatch, RegradeFilter, Store, SubmissionQuery } from '../../store/store.js';
import { requireCoursePermission, requireResourcePermission } from '../access-checks.js';
import { HttpError } from '../http-errors.js';
import { requestIdOf } from '../request-id.js';
import { serveRoute } from '../serve-route.js';
import { checkedBody, queryParam } from './checked-input.js';
import { csvLine } from './csv.js';
import { pathCourse } from './course-routes.js';
import { decodeCursor, encodeCursor } from './page-cursor.js';
import { submissionRecordJson, summaryJson } from './submission-views.js';
import type { StaffContext } from './staff-context.js';

/** The most submissions one regrade by filter takes: more is a sign the filter is wrong. */
const MAX_REGRADE = 5000;
const CSV_PAGE = 1000;

type Position = [string, string];
const isPosition = (v: unknown): v is Position => Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string';

async function assignmentIdOf(store: Store, courseId: string, name: string | undefined): Promise<number | undefined> {
  if (name === undefined) return undefined;
  const assignment = await store.findAssignment(courseId, name);
  if (!assignment) throw new HttpError(404, 'E_NOT_FOUND', `course ${courseId} has no assignment ${name}`);
  return assignment.id;
}

/** The listing's filter from the query string (course required). */
async function listQuery(store: Store, req: Request, res: Response): Promise<SubmissionQuery> {
  const query = req.query as Record<string, unknown>;
  const course = queryParam(query, 'course', courseIdSchema);
  if (!course) throw new HttpError(400, 'E_MISSING_COURSE', 'name the course: ?course=ID');
  requireCoursePermission(res, 'submissions.read', course);
  const text = filterText;
  const after = decodeCursor(queryParam(query, 'cursor', cursorSchema), isPosition);
  return {
    courseId: course,
    assignmentId: await assignmentIdOf(store, course, queryParam(query, 'assignment', assignmentName)),
    student: queryParam(query, 'student', text),
    verdict: queryParam(query, 'verdict', text),
    status: queryParam(query, 'status', text) as SubmissionQuery['status'],
    since: queryParam(query, 'since', text),
    until: queryParam(query, 'until', text),
    after: after ? { createdAt: after[0], id: after[1] } : undefined,
    limit: queryParam(query, 'limit', pageLimit) ?? 100,
  };
}

function regradeJson(batch: RegradeBatch) {
  return {
    id: batch.id, course: batch.courseId, filter: batch.filter as Record<string, unknown>, requested_by: batch.requestedBy, created_at: batch.createdAt,
    total: batch.total, done: batch.done, failed: batch.failed, status: batch.done >= batch.total ? 'done' as const : 'running' as const,
  };
}

/** Each student's newest submission of each assignment (the one that counts), newest first. */
async function writeScores(store: Store, courseId: string, assignmentId: number | undefined, res: Response): Promise<void> {
  res.type('text/csv; charset=utf-8').set('content-disposition', `attachment; filename="${courseId}-scores.csv"`);
  res.write(csvLine(['student', 'assignment', 'submission', 'submitted_at', 'status', 'verdict', 'score', 'max_score']));
  const seen = new Set<string>();
  let after: SubmissionQuery['after'];
  for (;;) {
    const page = await store.listSubmissions({ courseId, assignmentId, after, limit: CSV_PAGE });
    for (const s of page) {
      const key = JSON.stringify([s.assignmentName, s.student]);
      if (seen.has(key)) continue;
      seen.add(key);
      const row = summaryJson(s);
      res.write(csvLine([s.student, s.assignmentName, s.id, s.createdAt, s.status, row.verdict, row.score, row.max_score]));
    }
    if (page.length < CSV_PAGE) break;
    after = { createdAt: page.at(-1)!.createdAt, id: page.at(-1)!.id };
  }
  res.end();
}

async function reachable(store: Store, res: Response, id: string) {
  const submission = isSubmissionId(id) ? await store.getSubmission(id) : null;
  const notFound = `no submission ${id}`;
  if (!submission) throw new HttpError(404, 'E_NOT_FOUND', notFound);
  const actor = requireResourcePermission(res, 'submissions.read', submission.courseId, notFound);
  return { submission, actor };
}

export function submissionStaffRoutes({ store, audit, relay }: StaffContext): Router {
  const router = Router();
  serveRoute(router, staffRoutes.submissions, async (req, res) => {
    const query = await listQuery(store, req, res);
    const page = await store.listSubmissions(query);
    const last = page.at(-1);
    res.json({ submissions: page.map(summaryJson), next_cursor: last && page.length === query.limit ? encodeCursor([last.createdAt, last.id]) : null });
  });

  serveRoute(router, staffRoutes.scores, async (req, res) => {
    const courseId = String(req.params.course);
    requireCoursePermission(res, 'submissions.read', courseId);
    await pathCourse(store, courseId);
    const assignment = await assignmentIdOf(store, courseId, queryParam(req.query as Record<string, unknown>, 'assignment', assignmentName));
    await writeScores(store, courseId, assignment, res);
  });

  serveRoute(router, staffRoutes.submissionRecord, async (req, res) => {
    const { submission, actor } = await reachable(store, res, String(req.params.id));
    res.json(await submissionRecordJson(store, submission, mayGlobally(actor, 'operator.read')));
  });

  serveRoute(router, staffRoutes.submissionFile, async (req, res) => {
    const { submission } = await reachable(store, res, String(req.params.id));
    const path = queryParam(req.query as Record<string, unknown>, 'path', submissionFilePath);
    const file = (await store.listSubmissionFiles(submission.id)).find((f) => f.path === path);
    const blob = file ? await store.getBlob(file.sha256) : null;
    if (!file || !blob) throw new HttpError(404, 'E_NOT_FOUND', `submission ${submission.id} has no file ${JSON.stringify(path ?? '')}`);
    // The student's bytes are never rendered by a browser on the dashboard's origin.
    res.set({
      'content-type': 'application/octet-stream', 'x-content-type-options': 'nosniff', 'content-security-policy': 'sandbox',
      'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(file.path.split('/').pop()!)}`,
    });
    if (blob.content) res.end(blob.content);
    else res.sendFile(blob.path, { dotfiles: 'allow' });
  });

  serveRoute(router, staffRoutes.regrades, express.json({ limit: '4kb' }), async (req, res) => {
    const input = checkedBody(regradeRequest, req.body, 'send {"course": "cs101", "assignment": "…", "verdict": "WA", …}');
    const actor = requireCoursePermission(res, 'submissions.regrade', input.course);
    await pathCourse(store, input.course);
    const filter: RegradeFilter = {
      courseId: input.course, assignmentId: await assignmentIdOf(store, input.course, input.assignment),
      student: input.student, verdict: input.verdict, status: input.status, since: input.since, until: input.until,
    };
    const batch = await store.createRegradeBatch(filter, actorName(actor), MAX_REGRADE, requestIdOf(res));
    relay.kick();
    await audit(res, 'regrade.requested', input.course, { regrade: batch.id, filter: input, submissions: batch.total });
    res.status(202).json(regradeJson(batch));
  });

  serveRoute(router, staffRoutes.regrade, async (req, res) => {
    const batch = await store.getRegradeBatch(String(req.params.id));
    const notFound = `no regrade ${String(req.params.id)}`;
    if (!batch) throw new HttpError(404, 'E_NOT_FOUND', notFound);
    requireResourcePermission(res, 'submissions.read', batch.courseId, notFound);
    res.json(regradeJson(batch));
  });
  return router;
}
