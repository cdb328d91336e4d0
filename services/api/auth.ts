// The guards of the API's own callers: a course portal with its key (scope portal), a worker with
// the workers' token, an operator with the operators' token. Who the caller is comes from
// identify.ts; what staff may do from access-checks.ts.
import { timingSafeEqual, createHash } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

import { actorKey } from '../access/actor.js';
import { HttpError } from './http-errors.js';
import { bearer, requireActor } from './identify.js';

/** The course a portal request acts for, set by {@link portalKeyAuth}. */
export function courseOf(res: Response): string {
  return (res.locals as { courseId: string }).courseId;
}

/** What per-caller limits count: the key, or the signed-in person. */
export function keyOf(res: Response): string {
  return actorKey(requireActor(res));
}

/** Only a portal-scope key: its course is the request's (`courseOf`). */
export function portalKeyAuth(): RequestHandler {
  return (_req: Request, res: Response, next: NextFunction) => {
    const actor = requireActor(res);
    if (actor.kind !== 'key' || actor.scope !== 'portal') {
      throw new HttpError(403, 'E_FORBIDDEN', 'this route is a course portal\'s: send a key of the portal scope (gradebox keys create --course C)');
    }
    res.locals.courseId = actor.courseId;
    next();
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Requests must carry `token` as a bearer; `refusal` says which token (never the token itself). */
function tokenAuth(token: string, refusal: string): RequestHandler {
  const expected = digest(token);
  return (req: Request, _res: Response, next: NextFunction) => {
    const given = bearer(req);
    // Compared as digests so the comparison takes the same time whatever the length given.
    if (!given || !timingSafeEqual(digest(given), expected)) throw new HttpError(401, 'E_UNAUTHORIZED', refusal);
    next();
  };
}

export function workerAuth(token: string): RequestHandler {
  return tokenAuth(token, 'internal routes need the workers\' token');
}

export function operatorAuth(token: string): RequestHandler {
  return tokenAuth(token, 'this route is for operators: send the operators\' token (GRADEBOX_OPERATOR_TOKEN, or the file operator-token in the data folder) as "Authorization: Bearer <token>"');
}
