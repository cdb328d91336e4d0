// How an HTTP route of the API is declared, once: its method and path, what it takes and what it
// answers. The express app serves it (services/api/serve-route.ts) and the OpenAPI document
// describes it (services/api/openapi.ts) from the same declaration.
import type { z } from 'zod';

import { InternalError } from '../common/errors.js';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * Who may call a route: a security scheme of the OpenAPI document. `courseKey` is a key of the
 * portal scope, `staffKey` one of the staff scope, `session` a person signed in to the dashboard.
 */
export type RouteSecurity = 'courseKey' | 'staffKey' | 'session' | 'workerToken' | 'operatorToken' | 'webhookSignature' | 'ltiLaunch';

/** The staff API's callers: a staff key, or a signed-in person. */
export const STAFF: readonly RouteSecurity[] = ['staffKey', 'session'];

/** A body's media type and, when gradebox checks or promises one, its schema. */
export interface RouteContent {
  type: string;
  schema?: z.ZodType;
}

export interface RouteResponse {
  description: string;
  content?: RouteContent;
  /** Headers sent with it, by name (their schema's description says what they mean). */
  headers?: Record<string, z.ZodType>;
}

export interface HttpRoute {
  method: HttpMethod;
  /** As OpenAPI writes it, parameters in braces: `/v1/submissions/{id}`. */
  path: string;
  summary: string;
  /** Absent: anyone may call it; several: any one of them. */
  security?: RouteSecurity | readonly RouteSecurity[];
  /** Path parameters by name, each one in `path`. */
  params?: Record<string, z.ZodType>;
  /** Query parameters by name; all optional. */
  query?: Record<string, z.ZodType>;
  /** Request headers by name (besides Authorization); all optional. */
  headers?: Record<string, z.ZodType>;
  /** The request body, which the route requires. */
  body?: RouteContent;
  /** By HTTP status. */
  responses: Record<number, RouteResponse>;
}

/** The path of `route` with its parameters filled in, each URL-encoded: what a client asks for. */
export function pathOf(route: Pick<HttpRoute, 'path'>, params: Record<string, string> = {}): string {
  return route.path.replace(/\{(\w+)\}/g, (_whole, name: string) => {
    const value = params[name];
    if (value === undefined) throw new InternalError('E_ROUTE_PARAMS', `${route.path} needs its parameter ${name}`);
    return encodeURIComponent(value);
  });
}
