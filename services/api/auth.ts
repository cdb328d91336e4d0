// Who is calling: a course portal with its course key, or a worker with the workers' token.
import { timingSafeEqual, createHash } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

import type { Store } from '../store/store.js';
import { HttpError } from './http-errors.js';

/** The course a request acts for, set by {@link courseAuth}. */
export function courseOf(res: Response): string {
  return (res.locals as { courseId: string }).courseId;
}

function bearer(req: Request): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
  return match ? match[1]! : null;
}

export function courseAuth(store: Store): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const secret = bearer(req);
    if (!secret) throw new HttpError(401, 'E_UNAUTHORIZED', 'send the course key as "Authorization: Bearer <key>" (gradebox keys create --course C makes one)');
    const identity = await store.authenticateKey(secret);
    if (!identity) throw new HttpError(401, 'E_UNAUTHORIZED', 'this key is unknown or revoked: ask for a new one (gradebox keys create --course C)');
    res.locals.courseId = identity.courseId;
    next();
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

export function workerAuth(token: string): RequestHandler {
  const expected = digest(token);
  return (req: Request, _res: Response, next: NextFunction) => {
    const given = bearer(req);
    // Compared as digests so the comparison takes the same time whatever the length given.
    if (!given || !timingSafeEqual(digest(given), expected)) throw new HttpError(401, 'E_UNAUTHORIZED', 'internal routes need the workers\' token');
    next();
  };
}
