// A course's keys for its instructors (signed in, or an admin): listed without their secrets,
// made (the secret shown once; a scope; an expiry), revoked at once.
import express, { Router } from 'express';

import { staffRoutes } from '../../protocol/staff-routes.js';
import { keyCreate } from '../../protocol/staff-schemas.js';
import { requireCoursePermission } from '../access-checks.js';
import { HttpError } from '../http-errors.js';
import { serveRoute } from '../serve-route.js';
import { checkedBody } from './checked-input.js';
import { pathCourse } from './course-routes.js';
import { keyJson } from './staff-views.js';
import type { StaffContext } from './staff-context.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export function keyRoutes({ store, audit }: StaffContext): Router {
  const router = Router();
  serveRoute(router, staffRoutes.keys, async (req, res) => {
    const courseId = String(req.params.course);
    requireCoursePermission(res, 'keys.manage', courseId);
    await pathCourse(store, courseId);
    res.json((await store.listApiKeys(courseId)).map(keyJson));
  });

  serveRoute(router, staffRoutes.createKey, express.json({ limit: '4kb' }), async (req, res) => {
    const courseId = String(req.params.course);
    requireCoursePermission(res, 'keys.manage', courseId);
    await pathCourse(store, courseId);
    const input = checkedBody(keyCreate, req.body, 'send {"scope": "portal" | "staff", "label": "…", "expires_days": 90}');
    const expiresAt = input.expires_days ? new Date(Date.now() + input.expires_days * DAY_MS).toISOString() : null;
    const { key, secret } = await store.createApiKey(courseId, input.label, { scope: input.scope ?? 'portal', expiresAt });
    await audit(res, 'key.created', courseId, { key: key.id, scope: key.scope, label: key.label, expires_at: key.expiresAt });
    res.status(201).set('cache-control', 'no-store').json({ key: keyJson(key), secret });
  });

  serveRoute(router, staffRoutes.revokeKey, async (req, res) => {
    const courseId = String(req.params.course);
    requireCoursePermission(res, 'keys.manage', courseId);
    const key = await store.getApiKey(String(req.params.key));
    if (!key || key.courseId !== courseId) throw new HttpError(404, 'E_NOT_FOUND', `course ${courseId} has no key ${String(req.params.key)}`);
    await store.revokeKey(key.id);
    await audit(res, 'key.revoked', courseId, { key: key.id });
    res.json(keyJson((await store.getApiKey(key.id))!));
  });
  return router;
}
