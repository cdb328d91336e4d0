// Serves a declared route (services/protocol/api-routes.ts): its method and path come from the
// declaration, so the app and the OpenAPI document cannot name different routes; and so does who
// may call it, checked before anything else the route does (a caller who may not is refused
// before its query or body is read).
import type { IRouter, RequestHandler } from 'express';

import { isStaff } from '../access/permissions.js';
import type { HttpRoute, RouteSecurity } from '../protocol/http-route.js';
import { HttpError } from './http-errors.js';
import { requireActor } from './identify.js';

/** `/v1/submissions/{id}` as express writes it: `/v1/submissions/:id`. */
export function expressPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}

/** The callers identify.ts names (keys and sessions); the worker and operator tokens are checked by their own routes. */
const IDENTIFIED: readonly RouteSecurity[] = ['courseKey', 'staffKey', 'session'];

/** 401 for nobody; 403 for a portal key on a route of the staff only, or staff on a route of the portal only. */
function callerGuard(security: readonly RouteSecurity[]): RequestHandler | null {
  if (!security.some((scheme) => IDENTIFIED.includes(scheme))) return null;
  return (_req, res, next) => {
    const actor = requireActor(res);
    const staff = isStaff(actor);
    if (staff && !security.includes('staffKey') && !security.includes('session')) {
      throw new HttpError(403, 'E_FORBIDDEN', 'this route is a course portal\'s: send a key of the portal scope (gradebox keys create --course C)');
    }
    if (!staff && !security.includes('courseKey')) {
      throw new HttpError(403, 'E_FORBIDDEN', 'a portal key cannot call the staff API; use a staff key (gradebox keys create --course C --scope staff) or sign in');
    }
    next();
  };
}

export function serveRoute(router: Pick<IRouter, 'route'>, route: HttpRoute, ...handlers: RequestHandler[]): void {
  const guard = route.security === undefined ? null : callerGuard([route.security].flat());
  router.route(expressPath(route.path))[route.method](...(guard ? [guard] : []), ...handlers);
}
