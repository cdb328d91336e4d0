// Who is calling the API's public routes: a key in "Authorization: Bearer" (its scope decides what
// it may call), or a person's session cookie. A key that does not work is refused at once (401); a
// session that has ended is as no session (the route then asks for one). The worker's and the
// operators' tokens are not keys: their routes check them (auth.ts).
import { timingSafeEqual } from 'node:crypto';

import type { NextFunction, Request, RequestHandler, Response } from 'express';

import type { Actor } from '../access/actor.js';
import type { SessionTimes, Store } from '../store/store.js';
import { HttpError } from './http-errors.js';
import { readCookie, SESSION_COOKIE } from './session-cookie.js';

export function bearer(req: Request): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
  return match ? match[1]! : null;
}

async function sessionActor(store: Store, secret: string, times: SessionTimes): Promise<Actor | null> {
  const session = await store.authenticateSession(secret, times);
  const user = session ? await store.getUser(session.userId) : null;
  if (!session || !user) return null;
  return { kind: 'user', user, roles: await store.courseRolesOf(user.id), session };
}

/** Sets `res.locals.actor` (or leaves it unset: nobody); refuses a key that does not work. */
export function identify(store: Store, times: SessionTimes): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const secret = bearer(req);
    if (secret) {
      const key = await store.authenticateKey(secret);
      if (!key) throw new HttpError(401, 'E_UNAUTHORIZED', 'this key is unknown, revoked or expired: ask for a new one (gradebox keys create --course C)');
      res.locals.actor = { kind: 'key', scope: key.scope, courseId: key.courseId, keyId: key.keyId } satisfies Actor;
      return next();
    }
    const cookie = readCookie(req, SESSION_COOKIE);
    if (cookie) {
      const actor = await sessionActor(store, cookie, times);
      if (actor) res.locals.actor = actor;
    }
    next();
  };
}

/** The caller, or undefined when nobody identified themselves. */
export function actorOf(res: Response): Actor | undefined {
  return (res.locals as { actor?: Actor }).actor;
}

/** The caller; a request from nobody is refused (401). */
export function requireActor(res: Response): Actor {
  const actor = actorOf(res);
  if (!actor) throw new HttpError(401, 'E_UNAUTHORIZED', 'send a course key as "Authorization: Bearer <key>" (gradebox keys create --course C makes one), or sign in at /signin');
  return actor;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Whether the request says it comes from another site (its Origin is not this host). */
export function crossOrigin(req: Request): boolean {
  const origin = req.get('origin');
  if (!origin || origin === 'null') return origin === 'null';
  try {
    return new URL(origin).host !== req.get('host');
  } catch {
    return true;
  }
}

/**
 * A request that changes something and came with a session must carry the session's CSRF token
 * (X-CSRF-Token; a form, its `csrf` field, given as `formToken`) and must not come from another
 * origin. A key in a header cannot be sent by another site's page, so keys need neither.
 */
export function checkCsrf(req: Request, res: Response, formToken?: string): void {
  const actor = actorOf(res);
  if (actor?.kind !== 'user' || SAFE_METHODS.has(req.method)) return;
  const given = req.get('x-csrf-token') ?? formToken ?? '';
  if (crossOrigin(req) || !sameToken(given, actor.session.csrfToken)) {
    throw new HttpError(403, 'E_CSRF', 'this request changes something and came with a session, but without its CSRF token (or from another site): send the token GET /v1/me gives as X-CSRF-Token');
  }
}

/** checkCsrf for every request of the router it is mounted on. */
export function csrfGuard(): RequestHandler {
  return (req, res, next) => {
    checkCsrf(req, res);
    next();
  };
}
