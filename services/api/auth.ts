// Who is calling: a course portal with its course key, a worker with the workers' token, or an
// operator with the operators' token.
import { timingSafeEqual, createHash } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

import type { Store } from '../store/store.js';
import { HttpError } from './http-errors.js';

/** The course a request acts for, set by {@link courseAuth}. */
export function courseOf(res: Response): string {
  return (res.locals as { courseId: string }).courseId;
}

/** The id of the course key a request came with (what per-key limits count), set by {@link courseAuth}. */
export function keyOf(res: Response): string {
  return (res.locals as { keyId: string }).keyId;
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
    res.locals.keyId = identity.keyId;
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
