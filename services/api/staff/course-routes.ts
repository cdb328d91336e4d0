// Courses for their staff: listed (those the caller may see), created (admins), renamed and
// archived (instructors). Courses are made only explicitly: here, or `gradebox courses add`.
import express, { Router } from 'express';

import { readableCourses } from '../../access/permissions.js';
import { staffRoutes } from '../../protocol/staff-routes.js';
import { courseChange, courseCreate } from '../../protocol/staff-schemas.js';
import type { Course, Store } from '../../store/store.js';
import { requireCoursePermission, requireGlobalPermission, staffActor } from '../access-checks.js';
import { HttpError } from '../http-errors.js';
import { serveRoute } from '../serve-route.js';
import { checkedBody } from './checked-input.js';
import { courseJson } from './staff-views.js';
import type { StaffContext } from './staff-context.js';

const body = express.json({ limit: '16kb' });

/** The course of the path; the caller must be allowed `course.read` there first (403), then it must exist (404). */
export async function pathCourse(store: Store, courseId: string): Promise<Course> {
  const course = await store.getCourse(courseId);
  if (!course) throw new HttpError(404, 'E_NOT_FOUND', `no course ${courseId}`);
  return course;
}

export function courseRoutes({ store, audit }: StaffContext): Router {
  const router = Router();
  serveRoute(router, staffRoutes.courses, async (_req, res) => {
    const actor = staffActor(res);
    const readable = readableCourses(actor);
    const courses = (await store.listCourses()).filter((c) => readable === 'all' || readable.includes(c.id));
    res.json(courses.map((c) => courseJson(c, actor)));
  });

  serveRoute(router, staffRoutes.createCourse, body, async (req, res) => {
    const actor = requireGlobalPermission(res, 'courses.create');
    const input = checkedBody(courseCreate, req.body, 'send {"id": "cs101", "name": "Intro to CS"}');
    if (await store.getCourse(input.id)) throw new HttpError(409, 'E_COURSE_EXISTS', `course ${input.id} exists already`);
    const course = await store.createCourse(input.id, input.name);
    await audit(res, 'course.created', course.id, { name: course.name });
    res.status(201).json(courseJson(course, actor));
  });

  serveRoute(router, staffRoutes.course, async (req, res) => {
    const actor = requireCoursePermission(res, 'course.read', String(req.params.course));
    res.json(courseJson(await pathCourse(store, String(req.params.course)), actor));
  });

  serveRoute(router, staffRoutes.changeCourse, body, async (req, res) => {
    const courseId = String(req.params.course);
    const actor = requireCoursePermission(res, 'course.edit', courseId);
    const change = checkedBody(courseChange, req.body, 'send {"name": "…"} and/or {"archived": true|false}');
    if (change.name === undefined && change.archived === undefined) throw new HttpError(400, 'E_BAD_REQUEST', 'nothing to change: send name and/or archived');
    let course = await pathCourse(store, courseId);
    if (change.name !== undefined && change.name !== course.name) {
      course = await store.renameCourse(courseId, change.name);
      await audit(res, 'course.renamed', courseId, { name: course.name });
    }
    if (change.archived !== undefined && change.archived !== (course.archivedAt !== null)) {
      course = await store.setCourseArchived(courseId, change.archived);
      await audit(res, change.archived ? 'course.archived' : 'course.reopened', courseId);
    }
    res.json(courseJson(course, actor));
  });
  return router;
}
