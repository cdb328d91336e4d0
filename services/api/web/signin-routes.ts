// Signing in and out of the dashboard. The form posts email, password and a CSRF token (doubled in
// a cookie: there is no session yet to keep it in); a right password makes a session whose secret
// goes into an HttpOnly, Secure, SameSite cookie. A wrong email and a wrong password answer alike,
// in the same time. Failed sign-ins are limited per email and per client address.
import { randomBytes, timingSafeEqual } from 'node:crypto';

import express, { Router, type Request, type Response } from 'express';
import type { Logger } from 'pino';

import { verifyNothing, verifyPassword } from '../../access/password-hash.js';
import { webRoutes } from '../../protocol/web-routes.js';
import type { SessionTimes, Store } from '../../store/store.js';
import { actorOf, identify } from '../identify.js';
import { serveRoute } from '../serve-route.js';
import { clearCookie, readCookie, SESSION_COOKIE, setCookie, SIGNIN_CSRF_COOKIE } from '../session-cookie.js';
import { html, sendPage } from './html-page.js';
import type { SignInLimits } from './signin-limits.js';

export interface SignInOptions {
  store: Store;
  times: SessionTimes;
  limits: SignInLimits;
  logger: Logger;
  /** What a signed-in browser gets at / (the dashboard's courses page). */
  home: (req: Request, res: Response) => Promise<void> | void;
}

const FORM_TOKEN_MS = 30 * 60 * 1000;
const form = express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 10 });

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

function signInPage(res: Response, status: number, message: string | null, email = ''): void {
  const token = randomBytes(32).toString('base64url');
  setCookie(res, SIGNIN_CSRF_COOKIE, token, FORM_TOKEN_MS);
  sendPage(res, status, 'Sign in', html`<main>
<h1>Sign in to gradebox</h1>
${message ? html`<p role="alert">${message}</p>` : ''}
<form method="post" action="/signin">
<input type="hidden" name="csrf" value="${token}">
<p><label for="email">Email</label><br><input id="email" name="email" type="email" autocomplete="username" required value="${email}"></p>
<p><label for="password">Password</label><br><input id="password" name="password" type="password" autocomplete="current-password" required></p>
<p><button type="submit">Sign in</button></p>
</form>
</main>`);
}

/** Only a path of this site: never `//host` or a scheme, which would send the browser elsewhere. */
function nextPath(req: Request): string {
  const next = typeof req.query.next === 'string' ? req.query.next : '/';
  return /^\/(?![/\\])[\x21-\x7e]*$/.test(next) ? next : '/';
}

function field(req: Request, name: string): string {
  const value = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
}

/** Whether the browser came from another site (its Origin is not this host). */
function crossSite(req: Request): boolean {
  const origin = req.get('origin');
  if (!origin) return false;
  try {
    return new URL(origin).host !== req.get('host');
  } catch {
    return true;
  }
}

async function signIn(options: SignInOptions, req: Request, res: Response): Promise<void> {
  const email = field(req, 'email').trim().toLowerCase().slice(0, 254);
  if (crossSite(req) || !sameText(field(req, 'csrf'), readCookie(req, SIGNIN_CSRF_COOKIE) ?? '')) {
    return signInPage(res, 403, 'This form had expired or came from elsewhere: sign in again.', email);
  }
  const wait = await options.limits.admit(email, req.socket.remoteAddress ?? 'unknown');
  if (wait > 0) {
    res.set('Retry-After', String(wait));
    options.logger.warn({ email, address: req.socket.remoteAddress }, 'sign-in refused: too many attempts');
    return signInPage(res, 429, `Too many failed sign-ins: try again in ${Math.ceil(wait / 60)} minute(s).`, email);
  }
  const found = await options.store.findUserForSignIn(email);
  const password = field(req, 'password');
  const right = found?.passwordHash ? await verifyPassword(password, found.passwordHash) : await verifyNothing(password);
  if (!found || !right) {
    await options.limits.failed(email);
    options.logger.info({ email }, 'sign-in refused: wrong email or password');
    return signInPage(res, 401, 'The email or the password is wrong.', email);
  }
  await options.limits.succeeded(email);
  const { secret, session } = await options.store.createSession(found.user.id, options.times);
  setCookie(res, SESSION_COOKIE, secret, options.times.lifetimeMs);
  clearCookie(res, SIGNIN_CSRF_COOKIE);
  options.logger.info({ user: found.user.id, session: session.id }, 'signed in');
  res.redirect(303, nextPath(req));
}

export function signInRoutes(options: SignInOptions): Router {
  const router = Router();
  const who = identify(options.store, options.times);
  serveRoute(router, webRoutes.home, who, async (req, res) => {
    if (actorOf(res)?.kind !== 'user') return res.redirect(303, '/signin');
    await options.home(req, res);
  });
  serveRoute(router, webRoutes.signInForm, who, (_req, res) => {
    if (actorOf(res)?.kind === 'user') return res.redirect(303, '/');
    signInPage(res, 200, null);
  });
  serveRoute(router, webRoutes.signIn, form, (req, res) => signIn(options, req, res));
  serveRoute(router, webRoutes.signOut, who, form, async (req, res) => {
    const actor = actorOf(res);
    if (actor?.kind === 'user') {
      if (crossSite(req) || !sameText(field(req, 'csrf'), actor.session.csrfToken)) return sendPage(res, 403, 'Not signed out', html`<p role="alert">This form came without its token: sign out from the dashboard.</p>`);
      await options.store.endSession(readCookie(req, SESSION_COOKIE)!);
      options.logger.info({ user: actor.user.id, session: actor.session.id }, 'signed out');
    }
    clearCookie(res, SESSION_COOKIE);
    res.redirect(303, '/signin');
  });
  return router;
}
