// From a staff launch into the dashboard without third-party cookies. The launch page lives in the
// LMS's iframe, where a browser may refuse our cookies; so its "Open gradebox" button asks (with the
// launch token) for a handoff token, single use and good for a minute, bound to the launch's
// account, and posts it in a form to a new top-level window. There the handoff is redeemed: a
// first-party session (the sign-in's cookie and CSRF token), then the course's or assignment's
// page. A form post keeps the token out of URLs, logs and history.
import type { Request, Response } from 'express';
import type { Logger } from 'pino';

import type { LtiLaunchSession } from '../store/lti-store.js';
import type { SessionTimes, Store } from '../store/store.js';
import { HttpError } from './http-errors.js';
import { crossOrigin } from './identify.js';
import { errorPage } from './lti-pages.js';
import { readCookie, SESSION_COOKIE, setCookie } from './session-cookie.js';

/** Long enough for the click to open the window; short enough that a token seen later is useless. */
export const HANDOFF_TTL_MS = 60_000;

/** A handoff token for the launch's account, or 403 for a learner's launch or an account that cannot sign in. */
export async function mintHandoff(store: Store, session: LtiLaunchSession): Promise<{ token: string; expiresAt: string }> {
  if (session.role === 'learner') throw new HttpError(403, 'E_FORBIDDEN', 'only an instructor\'s or a TA\'s launch opens the gradebox dashboard');
  const platform = await store.getLtiPlatform(session.platformId);
  const user = platform ? await store.findUserByIdentity(platform.issuer, session.sub) : null;
  if (!user || user.disabledAt !== null) throw new HttpError(403, 'E_FORBIDDEN', 'this launch has no gradebox account that may sign in (disabled, or its platform removed): ask an operator');
  const expiresAt = new Date(Date.now() + HANDOFF_TTL_MS).toISOString();
  const token = await store.createLtiHandoff({ userId: user.id, courseId: session.courseId, assignmentId: session.assignmentId, expiresAt });
  return { token, expiresAt };
}

/** The dashboard page a handoff opens: its assignment's when the placement has one, else its course's. */
async function landingPath(store: Store, courseId: string, assignmentId: number | null): Promise<string> {
  const assignment = assignmentId === null ? undefined : (await store.listAssignments(courseId)).find((a) => a.id === assignmentId);
  const course = `/courses/${encodeURIComponent(courseId)}`;
  return assignment ? `${course}/assignments/${encodeURIComponent(assignment.name)}` : course;
}

/**
 * Redeems the form's handoff: a session cookie and a redirect into the dashboard. A post from
 * another site is refused (it could sign a browser in to someone else's account), as is a token
 * used before, expired or unknown; nothing is made then.
 */
export async function redeemHandoff(store: Store, times: SessionTimes, logger: Logger, req: Request, res: Response): Promise<void> {
  const token = (req.body as Record<string, unknown> | undefined)?.handoff;
  if (typeof token !== 'string' || token === '') return errorPage(res, 400, 'E_LTI_HANDOFF', 'this form carries no handoff: open gradebox with its button in the LMS');
  if (!req.get('origin') || crossOrigin(req)) {
    return errorPage(res, 403, 'E_CSRF', 'this request did not come from gradebox\'s own page: open gradebox with its button in the LMS');
  }
  const handoff = await store.redeemLtiHandoff(token);
  if (!handoff) {
    return errorPage(res, 401, 'E_LTI_HANDOFF', 'this way into gradebox was used already or has expired (it lasts a minute): click "Open gradebox" in the LMS again');
  }
  const user = await store.getUser(handoff.userId);
  if (!user || user.disabledAt !== null) return errorPage(res, 403, 'E_FORBIDDEN', 'this gradebox account may not sign in: ask an operator');
  // A session this browser had (another account's, maybe) ends: the window is now this person's.
  const before = readCookie(req, SESSION_COOKIE);
  if (before) await store.endSession(before);
  const { secret, session } = await store.createSession(user.id, times);
  setCookie(res, SESSION_COOKIE, secret, times.lifetimeMs);
  logger.info({ user: user.id, session: session.id, course: handoff.courseId }, 'signed in from an LTI launch');
  res.redirect(303, await landingPath(store, handoff.courseId, handoff.assignmentId));
}
