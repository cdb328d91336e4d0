// The course's assignments as its portal sees them (the course key): when each is due and whether
// its feedback is released. Changing either changes what students see of results at once,
// without regrading: results are stored whole and shown by the assignment's state when read.
import express, { Router, type Response } from 'express';
import type { z } from 'zod';

import { apiRoutes } from '../protocol/api-routes.js';
import { assignmentChange, type assignmentView } from '../protocol/api-schemas.js';
import { assignmentName } from '../protocol/ids.js';
import type { Assignment, FeedbackScheduleChange, Store } from '../store/store.js';
import { courseOf, portalKeyAuth } from './auth.js';
import { HttpError } from './http-errors.js';
import { serveRoute } from './serve-route.js';
import type { StaffAuditor } from './staff-auditor.js';

/** The portal's view: never the grader's folder (a host path). */
function publicAssignment(a: Assignment): z.infer<typeof assignmentView> {
  return { name: a.name, due_at: a.dueAt, feedback_released: a.feedbackReleasedAt !== null, feedback_released_at: a.feedbackReleasedAt, updated_at: a.updatedAt };
}

function changeFrom(body: unknown): FeedbackScheduleChange {
  const parsed = assignmentChange.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `field ${issue.path.join('.')}` : 'body';
    throw new HttpError(400, 'E_BAD_REQUEST', `the ${where} is invalid (${issue?.message ?? 'not an object'}); send JSON with due_at (ISO-8601 with a zone, or null) and/or feedback_released (true or false)`);
  }
  const { due_at: dueAt, feedback_released: released } = parsed.data;
  if (dueAt === undefined && released === undefined) throw new HttpError(400, 'E_BAD_REQUEST', 'nothing to change: send due_at and/or feedback_released');
  return { ...(dueAt !== undefined ? { dueAt } : {}), ...(released !== undefined ? { released } : {}) };
}

async function ownAssignment(store: Store, res: Response, name: string): Promise<Assignment> {
  const assignment = assignmentName.safeParse(name).success ? await store.findAssignment(courseOf(res), name) : null;
  if (!assignment) throw new HttpError(404, 'E_NOT_FOUND', `course ${courseOf(res)} has no assignment "${name}"`);
  return assignment;
}

export function assignmentRoutes(store: Store, audit: StaffAuditor): Router {
  const router = Router();
  serveRoute(router, apiRoutes.assignment, portalKeyAuth(), async (req, res) => {
    res.json(publicAssignment(await ownAssignment(store, res, String(req.params.name))));
  });
  serveRoute(router, apiRoutes.changeAssignment, portalKeyAuth(), express.json({ limit: '4kb' }), async (req, res) => {
    const change = changeFrom(req.body);
    const name = String(req.params.name);
    await ownAssignment(store, res, name);
    const changed = await store.setFeedbackSchedule(courseOf(res), name, change);
    await audit(res, 'assignment.schedule', courseOf(res), { assignment: name, due_at: changed.dueAt, feedback_released_at: changed.feedbackReleasedAt });
    res.json(publicAssignment(changed));
  });
  return router;
}
