// The staff API (the instructor side), all its routes in one router: each file serves one kind of
// resource, every route checks the caller's role (access-checks.ts) and records what it changes
// in the staff audit trail.
import { Router } from 'express';

import { assignmentAdminRoutes } from './assignment-admin-routes.js';
import { auditRoutes } from './audit-routes.js';
import { courseRoutes } from './course-routes.js';
import { incidentRoutes } from './incident-routes.js';
import { keyRoutes } from './key-routes.js';
import { peopleRoutes } from './people-routes.js';
import { queueRoutes } from './queue-routes.js';
import { submissionStaffRoutes } from './submission-staff-routes.js';
import type { StaffContext } from './staff-context.js';

export function staffApi(ctx: StaffContext): Router {
  const router = Router();
  for (const routes of [peopleRoutes, courseRoutes, assignmentAdminRoutes, keyRoutes, submissionStaffRoutes, incidentRoutes, queueRoutes, auditRoutes]) {
    router.use(routes(ctx));
  }
  return router;
}
