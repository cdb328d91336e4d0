// People: who the caller is (with a session's CSRF token), a course's staff and their roles
// (instructors give and take them), and accounts (admins: create, with a generated password shown
// once; reset a password, which ends the account's sessions).
import express, { Router } from 'express';
import type { z } from 'zod';

import { actorName } from '../../access/actor.js';
import { hashPassword } from '../../access/password-hash.js';
import { newPassword } from '../../access/new-password.js';
import { readableCourses } from '../../access/permissions.js';
import { staffRoutes } from '../../protocol/staff-routes.js';
import { memberAdd, userCreate, type meView } from '../../protocol/staff-schemas.js';
import { requireCoursePermission, requireGlobalPermission } from '../access-checks.js';
import { HttpError } from '../http-errors.js';
import { requireActor } from '../identify.js';
import { serveRoute } from '../serve-route.js';
import { checkedBody } from './checked-input.js';
import { pathCourse } from './course-routes.js';
import { memberJson, roleOf, userJson } from './staff-views.js';
import type { StaffContext } from './staff-context.js';

const body = express.json({ limit: '16kb' });

export function peopleRoutes({ store, audit }: StaffContext): Router {
  const router = Router();
  serveRoute(router, staffRoutes.me, async (_req, res) => {
    const actor = requireActor(res);
    const courses = readableCourses(actor);
    const ids = courses === 'all' ? (await store.listCourses()).map((c) => c.id) : actor.kind === 'key' ? [actor.courseId] : courses;
    const roles = Object.fromEntries(ids.map((id) => [id, roleOf(actor, id)]).filter(([, role]) => role !== null && role !== 'admin'));
    const me: z.infer<typeof meView> = {
      kind: actor.kind === 'user' ? 'user' : 'key',
      user: actor.kind === 'user' ? userJson(actor.user) : null,
      key: actor.kind === 'key' ? { id: actor.keyId, course: actor.courseId, scope: actor.scope } : null,
      admin: actor.kind === 'user' && actor.user.admin,
      roles,
      csrf_token: actor.kind === 'user' ? actor.session.csrfToken : null,
    };
    res.set('cache-control', 'no-store').json(me);
  });

  serveRoute(router, staffRoutes.members, async (req, res) => {
    const courseId = String(req.params.course);
    requireCoursePermission(res, 'people.read', courseId);
    await pathCourse(store, courseId);
    res.json((await store.listCourseMembers(courseId)).map(memberJson));
  });

  serveRoute(router, staffRoutes.addMember, body, async (req, res) => {
    const courseId = String(req.params.course);
    requireCoursePermission(res, 'people.manage', courseId);
    await pathCourse(store, courseId);
    const input = checkedBody(memberAdd, req.body, 'send {"email": "…", "role": "instructor" | "ta"}');
    const user = await store.findUserByEmail(input.email);
    if (!user) throw new HttpError(404, 'E_NOT_FOUND', `no account with email ${input.email}; an admin creates it first (POST /v1/users, or gradebox users add)`);
    const member = await store.setCourseRole(user.id, courseId, input.role);
    await audit(res, 'role.granted', courseId, { user: user.email, role: input.role });
    res.json(memberJson(member));
  });

  serveRoute(router, staffRoutes.removeMember, async (req, res) => {
    const courseId = String(req.params.course);
    requireCoursePermission(res, 'people.manage', courseId);
    const user = await store.getUser(String(req.params.user));
    if (!user || !(await store.removeCourseRole(user.id, courseId))) throw new HttpError(404, 'E_NOT_FOUND', `user ${String(req.params.user)} has no role in course ${courseId}`);
    await audit(res, 'role.removed', courseId, { user: user.email });
    res.status(204).end();
  });

  serveRoute(router, staffRoutes.users, async (_req, res) => {
    requireGlobalPermission(res, 'users.manage');
    res.json((await store.listUsers()).map(userJson));
  });

  serveRoute(router, staffRoutes.createUser, body, async (req, res) => {
    requireGlobalPermission(res, 'users.manage');
    const input = checkedBody(userCreate, req.body, 'send {"email": "…", "name": "…", "admin": false, "course": "cs101", "role": "ta"}');
    if ((input.course === undefined) !== (input.role === undefined)) throw new HttpError(400, 'E_BAD_REQUEST', 'give course and role together, or neither');
    if (input.course) await pathCourse(store, input.course);
    const password = newPassword();
    const user = await store.createUser({ email: input.email, name: input.name ?? null, passwordHash: await hashPassword(password), admin: input.admin ?? false });
    await audit(res, 'user.created', null, { user: user.email, admin: user.admin });
    if (input.course && input.role) {
      await store.setCourseRole(user.id, input.course, input.role);
      await audit(res, 'role.granted', input.course, { user: user.email, role: input.role });
    }
    res.status(201).set('cache-control', 'no-store').json({ user: userJson(user), password });
  });

  serveRoute(router, staffRoutes.resetPassword, async (req, res) => {
    const actor = requireGlobalPermission(res, 'users.manage');
    const user = await store.getUser(String(req.params.user));
    if (!user) throw new HttpError(404, 'E_NOT_FOUND', `no user ${String(req.params.user)}`);
    const password = newPassword();
    await store.setPasswordHash(user.id, await hashPassword(password));
    await audit(res, 'user.password_reset', null, { user: user.email, by: actorName(actor) });
    res.set('cache-control', 'no-store').json({ user: userJson((await store.getUser(user.id))!), password });
  });
  return router;
}
