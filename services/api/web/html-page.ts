// The dashboard's HTML: every value is escaped where it is written into a page (student output is
// hostile), and each page is sent with a Content-Security-Policy that runs no script the page did
// not load from here and no inline one, as a second wall.
import type { Response } from 'express';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe for HTML content and quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** A template literal whose every interpolated value is escaped (a value made by `html` again is kept as it is). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  return new SafeHtml(strings.reduce((out, text, i) => out + text + (i < values.length ? asHtml(values[i]) : ''), ''));
}

export class SafeHtml {
  constructor(readonly text: string) {}
}

function asHtml(value: unknown): string {
  if (value instanceof SafeHtml) return value.text;
  if (Array.isArray(value)) return value.map(asHtml).join('');
  return escapeHtml(value ?? '');
}

const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** Sends a whole page: its title, then its body; `head` adds to its head (the dashboard's script). */
export function sendPage(res: Response, status: number, title: string, body: SafeHtml, head: SafeHtml | string = ''): void {
  res.status(status).set({
    'content-type': 'text/html; charset=utf-8', 'content-security-policy': CSP, 'x-content-type-options': 'nosniff',
    // same-origin, not no-referrer: under no-referrer a browser sends "Origin: null" with its own
    // same-site form posts, which the CSRF checks must then refuse (Fetch standard, §3.2 "Origin header").
    'referrer-policy': 'same-origin', 'cache-control': 'no-store',
  }).send(html`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title} · gradebox</title>
<link rel="stylesheet" href="/static/dashboard.css">${head}</head>
<body>
${body}
</body>
</html>
`.text);
}
