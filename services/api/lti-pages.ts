// The HTML pages of LTI launches, small and self-contained (they run in an LMS iframe): the
// learner's upload page, the instructor's page, the deep-linking picker, the page that posts the
// picker's answer back to the platform, and an error page. Every value is escaped; the pages'
// scripts carry a per-response nonce that the Content-Security-Policy allows, and nothing else runs.
import { randomBytes } from 'node:crypto';

import type { Response } from 'express';

import type { Assignment } from '../store/store.js';
import type { LtiScoreDelivery } from '../store/lti-store.js';

const escape = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Sends a page; `body` gets the script nonce. */
export function sendPage(res: Response, status: number, title: string, body: (nonce: string) => string): void {
  const nonce = randomBytes(16).toString('base64');
  // No frame-ancestors or X-Frame-Options: an LMS shows these pages in its iframe.
  res.set('Content-Security-Policy', `default-src 'self'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'; form-action *`);
  res.set('Cache-Control', 'no-store');
  res.status(status).type('html').send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:1.5rem;max-width:48rem}code{background:#eee;padding:0 .2em}td,th{padding:.2rem .6rem;text-align:left}</style>
</head><body><h1>${escape(title)}</h1>${body(nonce)}</body></html>`);
}

export function errorPage(res: Response, status: number, code: string, message: string): void {
  sendPage(res, status, 'gradebox cannot open this', () => `<p>${escape(message)}</p><p><code>${escape(code)}</code></p>`);
}

/** The learner's page: pick files, upload them with the launch token, follow the grading. */
export function learnerPage(res: Response, token: string, assignment: Assignment): void {
  sendPage(res, 200, assignment.name, (nonce) => `
<form id="upload"><input type="file" name="files" multiple required> <button>Submit</button></form>
<p id="status" role="status"></p>
<script nonce="${nonce}">
const token = ${JSON.stringify(token)};
const status = document.getElementById('status');
const show = (text) => { status.textContent = text; };
async function follow(id) {
  for (;;) {
    const answer = await fetch('/lti/v1/submissions/' + id, { headers: { authorization: 'Bearer ' + token } });
    const s = await answer.json();
    if (s.status === 'graded') return show(s.result && s.result.score !== null ? 'Graded: ' + s.result.score + ' / ' + s.result.max_score + ' (' + s.result.verdict + ')' : 'Graded; the score is shown when your instructor releases it.');
    if (s.status === 'error') return show(s.error);
    show('Grading… (' + s.status + ')');
    await new Promise((r) => setTimeout(r, 2000));
  }
}
document.getElementById('upload').addEventListener('submit', async (event) => {
  event.preventDefault();
  show('Uploading…');
  const answer = await fetch('/lti/v1/submissions', { method: 'POST', headers: { authorization: 'Bearer ' + token }, body: new FormData(event.target) });
  const body = await answer.json();
  if (answer.status !== 202) return show(body.error ? body.error.message : 'The upload was refused.');
  follow(body.id);
});
</script>`);
}

function deliveriesTable(deliveries: LtiScoreDelivery[]): string {
  if (deliveries.length === 0) return '<p>No grade has been passed back yet.</p>';
  const rows = deliveries.map((d) => `<tr><td>${escape(d.student)}</td><td>${d.kind}</td><td>${d.state}</td><td>${d.lastStatus ?? ''}</td><td>${escape(d.lastError ?? '')}</td></tr>`);
  return `<table><tr><th>learner</th><th>score</th><th>state</th><th>status</th><th>last problem</th></tr>${rows.join('')}</table>`;
}

/**
 * "Open gradebox": fetches a single-use handoff token with the launch token, then posts it in a
 * form to a new top-level window (lti-handoff.ts), where the dashboard's own cookie is first-party.
 */
function openDashboard(nonce: string, token: string, role: string | null): string {
  if (role === null) return '<p>Your gradebox account gives you no role in this course (ask its instructor).</p>';
  return `<form id="open" method="post" action="/lti/handoff" target="_blank"><input type="hidden" name="handoff" value="">
<button>Open gradebox</button> <span>the course's dashboard in a new window, signed in as you (${role === 'ta' ? 'TA' : escape(role)})</span></form>
<p id="open-status" role="status"></p>
<script nonce="${nonce}">
const open = document.getElementById('open');
open.addEventListener('submit', async (event) => {
  event.preventDefault();
  const answer = await fetch('/lti/v1/handoff', { method: 'POST', headers: { authorization: 'Bearer ' + ${JSON.stringify(token)} } });
  const body = await answer.json();
  if (!answer.ok) { document.getElementById('open-status').textContent = body.error.message; return; }
  open.elements.handoff.value = body.token;
  open.submit();
  open.elements.handoff.value = '';
});
</script>`;
}

/** The instructor's page: which course and assignment this placement is, the way into the dashboard, and how passback goes. */
export function instructorPage(res: Response, token: string, courseId: string, assignment: Assignment | null, deliveries: LtiScoreDelivery[], role: string | null): void {
  const placement = assignment
    ? `<p>This placement is the assignment <code>${escape(assignment.name)}</code> of the gradebox course <code>${escape(courseId)}</code>.</p>`
    : `<p>This placement is not tied to an assignment yet: add the custom parameter <code>assignment=NAME</code> to it, or place it again through the LMS's picker (deep linking). Assignments are added with <code>gradebox assignments add --course ${escape(courseId)}</code>.</p>`;
  sendPage(res, 200, 'gradebox', (nonce) => `${placement}
${openDashboard(nonce, token, role)}
<h2>Grade passback</h2>${deliveriesTable(deliveries)}
<p><button id="roster">Read the roster</button> <span id="roster-status"></span></p>
<script nonce="${nonce}">
document.getElementById('roster').addEventListener('click', async () => {
  const answer = await fetch('/lti/v1/roster', { method: 'POST', headers: { authorization: 'Bearer ' + ${JSON.stringify(token)} } });
  const body = await answer.json();
  document.getElementById('roster-status').textContent = answer.ok ? body.learners + ' learners of ' + body.members + ' members' : body.error.message;
});
</script>`);
}

/** The deep-linking picker: one button per assignment of the course. */
export function pickerPage(res: Response, token: string, courseId: string, assignments: Assignment[]): void {
  const items = assignments.map((a) => `<li><form method="post" action="/lti/deep-link"><input type="hidden" name="launch_token" value="${escape(token)}">`
    + `<input type="hidden" name="assignment" value="${escape(a.name)}"><button>${escape(a.name)}</button></form></li>`);
  sendPage(res, 200, 'Place a gradebox assignment', () => (assignments.length === 0
    ? `<p>The gradebox course <code>${escape(courseId)}</code> has no assignment yet: add one with <code>gradebox assignments add --course ${escape(courseId)}</code>.</p>`
    : `<ul>${items.join('')}</ul>`));
}

/** Posts the deep-linking response to the platform at once. */
export function deepLinkReturnPage(res: Response, returnUrl: string, jwt: string): void {
  sendPage(res, 200, 'Returning to the LMS…', (nonce) => `<form id="back" method="post" action="${escape(returnUrl)}"><input type="hidden" name="JWT" value="${escape(jwt)}"><button>Continue</button></form>
<script nonce="${nonce}">document.getElementById('back').submit();</script>`);
}
