// Serves a declared route (services/protocol/api-routes.ts): its method and path come from the
// declaration, so the app and the OpenAPI document cannot name different routes.
import type { IRouter, RequestHandler } from 'express';

import type { HttpRoute } from '../protocol/http-route.js';

/** `/v1/submissions/{id}` as express writes it: `/v1/submissions/:id`. */
export function expressPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}

export function serveRoute(router: Pick<IRouter, 'route'>, route: HttpRoute, ...handlers: RequestHandler[]): void {
  router.route(expressPath(route.path))[route.method](...handlers);
}
