// The staff API's checks of what a caller may do (the rules are services/access/permissions.ts'):
// a course named in the request that the caller may not act on is a 403; a resource named by its
// id (a submission, an incident) in a course the caller cannot read is as unknown as a missing
// one (404), so ids tell nothing across courses.
import type { Response } from 'express';

import type { Actor } from '../access/actor.js';
import { isStaff, mayGlobally, mayInCourse, readableCourses, type CoursePermission, type GlobalPermission } from '../access/permissions.js';
import { HttpError } from './http-errors.js';
import { requireActor } from './identify.js';

const WHAT: Record<CoursePermission | GlobalPermission, string> = {
  'course.read': 'read this course',
  'course.edit': 'rename or archive this course (instructors)',
  'assignments.edit': 'change this course\'s assignments or graders (instructors)',
  'submissions.read': 'read this course\'s submissions',
  'submissions.regrade': 'regrade this course\'s submissions',
  'incidents.read': 'read this course\'s incidents',
  'incidents.triage': 'triage this course\'s incidents (instructors)',
  'keys.manage': 'manage this course\'s keys (instructors, signed in)',
  'people.read': 'see this course\'s staff',
  'people.manage': 'give or take roles in this course (instructors, signed in)',
  'audit.read': 'read this course\'s audit trail (instructors)',
  'courses.create': 'create courses (admins)',
  'users.manage': 'manage accounts (admins)',
  'queue.read': 'see the queue (course staff)',
  'operator.read': 'see operators\' details (admins)',
};

/** The caller, who must be staff: a portal key is refused here (403), nobody 401. */
export function staffActor(res: Response): Actor {
  const actor = requireActor(res);
  if (!isStaff(actor)) {
    throw new HttpError(403, 'E_FORBIDDEN', 'a portal key cannot call the staff API; use a staff key (gradebox keys create --course C --scope staff) or sign in');
  }
  return actor;
}

export function requireCoursePermission(res: Response, permission: CoursePermission, courseId: string): Actor {
  const actor = staffActor(res);
  if (!mayInCourse(actor, permission, courseId)) throw new HttpError(403, 'E_FORBIDDEN', `your role does not allow you to ${WHAT[permission]} (course ${courseId})`);
  return actor;
}

export function requireGlobalPermission(res: Response, permission: GlobalPermission): Actor {
  const actor = staffActor(res);
  if (!mayGlobally(actor, permission)) throw new HttpError(403, 'E_FORBIDDEN', `your role does not allow you to ${WHAT[permission]}`);
  return actor;
}

/**
 * For a resource of `courseId` found by its id: 404 (`notFound`) unless the caller may read the
 * course, 403 when it may read but not do this.
 */
export function requireResourcePermission(res: Response, permission: CoursePermission, courseId: string, notFound: string): Actor {
  const actor = staffActor(res);
  if (!mayInCourse(actor, 'course.read', courseId)) throw new HttpError(404, 'E_NOT_FOUND', notFound);
  if (!mayInCourse(actor, permission, courseId)) throw new HttpError(403, 'E_FORBIDDEN', `your role does not allow you to ${WHAT[permission]} (course ${courseId})`);
  return actor;
}

/** A listing across courses: the one asked for (which the caller must be allowed to read), or every readable one for an admin asking for none. */
export function coursesToList(res: Response, permission: CoursePermission, course: string | undefined): string[] | 'all' {
  const actor = staffActor(res);
  if (course !== undefined) {
    requireCoursePermission(res, permission, course);
    return [course];
  }
  const readable = readableCourses(actor);
  if (readable === 'all') return 'all';
  throw new HttpError(400, 'E_MISSING_COURSE', `name the course: ?course=ID (yours: ${readable.join(', ') || 'none'})`);
}
