// The frame of every dashboard page: a skip link, the top bar (where to go, who is signed in, sign
// out), the breadcrumbs and the page. The session's CSRF token rides in a meta tag, for the script's
// requests to the staff API; the sign-out form carries it as a field and works without the script.
import type { Response } from 'express';

import type { Actor } from '../../access/actor.js';
import { html, sendPage, type SafeHtml } from './html-page.js';

export interface DashboardPage {
  title: string;
  /** Links above the title, outermost first: [label, href]. */
  crumbs?: Array<[string, string]>;
  body: SafeHtml;
}

function whoLabel(actor: Actor | undefined): string {
  if (actor?.kind !== 'user') return '';
  return actor.user.email ?? actor.user.id;
}

function csrfOf(actor: Actor | undefined): string {
  return actor?.kind === 'user' ? actor.session.csrfToken : '';
}

function topBar(actor: Actor | undefined): SafeHtml {
  const admin = actor?.kind === 'user' && actor.user.admin;
  return html`<a class="skip" href="#main">Skip to the page</a>
<header class="top">
<a class="brand" href="/">gradebox</a>
<nav aria-label="Dashboard"><ul><li><a href="/">Courses</a></li><li><a href="/queue">Queue and workers</a></li></ul></nav>
<div class="who"><span>${whoLabel(actor)}${admin ? ' (admin)' : ''}</span>
<form method="post" action="/signout"><input type="hidden" name="csrf" value="${csrfOf(actor)}"><button class="quiet" type="submit">Sign out</button></form></div>
</header>`;
}

function crumbs(list: Array<[string, string]>): SafeHtml | string {
  if (list.length === 0) return '';
  return html`<nav aria-label="Breadcrumbs"><p class="crumbs">${list.map(([label, href], i) => html`${i > 0 ? ' › ' : ''}<a href="${href}">${label}</a>`)}</p></nav>`;
}

export function sendDashboardPage(res: Response, status: number, page: DashboardPage): void {
  const actor = (res.locals as { actor?: Actor }).actor;
  const head = html`<meta name="csrf-token" content="${csrfOf(actor)}">
<script type="module" src="/static/dashboard.js"></script>`;
  sendPage(res, status, page.title, html`${topBar(actor)}
<main id="main">
${crumbs(page.crumbs ?? [])}
<h1>${page.title}</h1>
${page.body}
</main>`, head);
}
