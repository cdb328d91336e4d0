// The role model, as one table: what each kind of caller may do, in which courses. An admin may do
// everything everywhere; an instructor everything in their courses; a TA may read their courses
// and regrade, nothing else; a staff key acts as an instructor of its one course, except that it
// manages neither keys nor people (a leaked key cannot mint more keys or accounts); a portal key
// has none of these (it has the portal's own routes).
import type { CourseRole } from '../store/store.js';
import type { Actor } from './actor.js';

/** What may be done within a course. */
export type CoursePermission =
  | 'course.read'
  | 'course.edit'
  | 'assignments.edit'
  | 'submissions.read'
  | 'submissions.regrade'
  | 'incidents.read'
  | 'incidents.triage'
  | 'keys.manage'
  | 'people.read'
  | 'people.manage'
  | 'audit.read';

/** What is not tied to one course. */
export type GlobalPermission = 'courses.create' | 'users.manage' | 'queue.read' | 'operator.read';

const READ: CoursePermission[] = ['course.read', 'submissions.read', 'incidents.read', 'people.read'];
const STAFF_KEY: CoursePermission[] = [...READ, 'course.edit', 'assignments.edit', 'submissions.regrade', 'incidents.triage', 'audit.read'];

const BY_ROLE: Record<CourseRole | 'staffKey', ReadonlySet<CoursePermission>> = {
  instructor: new Set([...STAFF_KEY, 'keys.manage', 'people.manage']),
  ta: new Set([...READ, 'submissions.regrade']),
  staffKey: new Set(STAFF_KEY),
};

/** The caller's role in the course, as the table above names it; null: none. */
function roleIn(actor: Actor, courseId: string): CourseRole | 'staffKey' | null {
  if (actor.kind === 'key') return actor.scope === 'staff' && actor.courseId === courseId ? 'staffKey' : null;
  if (actor.kind === 'user') return actor.roles[courseId] ?? null;
  return null;
}

function isAdmin(actor: Actor): boolean {
  return actor.kind === 'cli' || (actor.kind === 'user' && actor.user.admin);
}

export function mayInCourse(actor: Actor, permission: CoursePermission, courseId: string): boolean {
  if (isAdmin(actor)) return true;
  const role = roleIn(actor, courseId);
  return role !== null && BY_ROLE[role].has(permission);
}

export function mayGlobally(actor: Actor, permission: GlobalPermission): boolean {
  if (isAdmin(actor)) return true;
  // Any member of a course's staff may watch the queue (depth per course is cut to their courses).
  return permission === 'queue.read' && (actor.kind === 'user' ? Object.keys(actor.roles).length > 0 : actor.kind === 'key' && actor.scope === 'staff');
}

/** The courses the caller may read: every one for an admin, else those of its roles (or its key). */
export function readableCourses(actor: Actor): 'all' | string[] {
  if (isAdmin(actor)) return 'all';
  if (actor.kind === 'key') return actor.scope === 'staff' ? [actor.courseId] : [];
  if (actor.kind === 'user') return Object.keys(actor.roles).sort();
  return [];
}

/** Whether the caller is staff at all (a signed-in person, or a staff key): the staff API answers it 403, not 401, when it may not. */
export function isStaff(actor: Actor): boolean {
  return actor.kind !== 'key' || actor.scope === 'staff';
}
