// The staff audit trail for instructors (their course's lines) and admins (every line): newest
// first, a page at a time. `gradebox audit verify --staff` checks the whole chain.
import { Router } from 'express';

import { staffEntry } from '../../audit/staff-audit.js';
import { courseId as courseIdSchema } from '../../protocol/ids.js';
import { staffRoutes } from '../../protocol/staff-routes.js';
import { cursor as cursorSchema, pageLimit } from '../../protocol/staff-schemas.js';
import { coursesToList } from '../access-checks.js';
import { serveRoute } from '../serve-route.js';
import { queryParam } from './checked-input.js';
import { decodeCursor, encodeCursor } from './page-cursor.js';
import type { StaffContext } from './staff-context.js';

export function auditRoutes({ store }: StaffContext): Router {
  const router = Router();
  serveRoute(router, staffRoutes.audit, async (req, res) => {
    const query = req.query as Record<string, unknown>;
    const courses = coursesToList(res, 'audit.read', queryParam(query, 'course', courseIdSchema));
    const beforeSeq = decodeCursor(queryParam(query, 'cursor', cursorSchema), (v): v is number => Number.isSafeInteger(v) && (v as number) > 0);
    const limit = queryParam(query, 'limit', pageLimit) ?? 100;
    const lines = await store.listAuditLines({ ...(courses === 'all' ? {} : { courseId: courses[0] }), beforeSeq, limit });
    res.json({ entries: lines.map(staffEntry), next_cursor: lines.length === limit ? encodeCursor(lines.at(-1)!.seq) : null });
  });
  return router;
}
