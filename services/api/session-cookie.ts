// The cookies of the dashboard: the session's (its secret), and the sign-in form's CSRF token
// (double-submit: the form carries it too; there is no session to keep it in yet). `__Host-`
// cookies are Secure, path /, no Domain: a sibling host cannot set or read them (RFC 6265bis
// §4.1.3.2). Browsers treat http://localhost and 127.0.0.1 as secure, so they work there without TLS;
// anywhere else, serve the API behind TLS.
import type { Request, Response } from 'express';

export const SESSION_COOKIE = '__Host-gbx_session';
export const SIGNIN_CSRF_COOKIE = '__Host-gbx_signin';

/** The value of cookie `name` in the request, or null. */
export function readCookie(req: Request, name: string): string | null {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return null;
}

/**
 * HttpOnly: no script reads it (an injected one cannot steal the session). SameSite=Lax: it rides
 * a top-level link from the LMS, never a cross-site POST or fetch.
 */
export function setCookie(res: Response, name: string, value: string, maxAgeMs: number): void {
  res.cookie(name, value, { httpOnly: true, secure: true, sameSite: 'lax', path: '/', maxAge: maxAgeMs });
}

export function clearCookie(res: Response, name: string): void {
  res.clearCookie(name, { httpOnly: true, secure: true, sameSite: 'lax', path: '/' });
}
