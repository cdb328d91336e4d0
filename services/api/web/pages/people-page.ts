// A course's keys and people. Instructors (and admins) see the keys (never their secrets), make one
// (its secret shown once, on this page only), revoke one; they give and take roles. A TA sees the
// people only: the staff API refuses it the keys, and the page says so.
import type { Request, Response } from 'express';
import type { z } from 'zod';

import type { keyView, memberView } from '../../../protocol/staff-schemas.js';
import { HttpError } from '../../http-errors.js';
import { sendDashboardPage } from '../dashboard-layout.js';
import { actionForm, NEEDS_SCRIPT, table, when } from '../fragments.js';
import { html, type SafeHtml } from '../html-page.js';
import { staffGet } from '../staff-client.js';
import type { Course } from './course-page.js';

type Key = z.infer<typeof keyView>;
type Member = z.infer<typeof memberView>;

function manages(course: Course): boolean {
  return course.role === 'admin' || course.role === 'instructor';
}

function keysSection(course: Course, keys: Key[]): SafeHtml {
  const rows = keys.map((k) => [
    html`<code>${k.prefix}…</code>`, k.label ?? '—', k.scope, when(k.created_at), k.expires_at ? when(k.expires_at) : 'never',
    k.revoked_at ? html`revoked ${when(k.revoked_at)}` : actionForm({ api: `/v1/courses/${course.id}/keys/${k.id}/revoke`, label: `Revoke ${k.prefix}`, button: 'Revoke', danger: true, fields: '' }),
  ]);
  return html`<h2>Keys</h2>${table(['Key', 'Label', 'Scope', 'Made', 'Expires', 'State'], rows)}
<h3>New key</h3>${NEEDS_SCRIPT}${actionForm({
    api: `/v1/courses/${course.id}/keys`, label: 'New key', button: 'Make key', show: { id: 'new-secret', field: 'secret' },
    fields: html`<label>Scope <select name="scope"><option value="portal">portal (the course portal's uploads)</option><option value="staff">staff (the instructor API)</option></select></label>
<label>Label <input name="label" maxlength="100"></label><label>Expires after (days) <input name="expires_days" type="number" min="1" max="3650" data-json="number"></label>`,
  })}
<p hidden>The new key, shown once: <span id="new-secret" class="secret"></span></p>`;
}

function peopleSection(course: Course, people: Member[]): SafeHtml {
  const rows = people.map((m) => [m.user.email ?? m.user.id, m.user.name ?? '—', m.role === 'ta' ? 'TA' : m.role, when(m.since),
    manages(course) ? actionForm({ api: `/v1/courses/${course.id}/people/${m.user.id}/remove`, label: `Remove ${m.user.email ?? m.user.id}`, button: 'Remove', danger: true, fields: '' }) : '']);
  const add = manages(course) ? html`<h3>Give a role</h3>${NEEDS_SCRIPT}${actionForm({
    api: `/v1/courses/${course.id}/people`, label: 'Give a role', button: 'Add',
    fields: html`<label>Email <input name="email" type="email" required></label><label>Role <select name="role"><option value="ta">TA</option><option value="instructor">instructor</option></select></label>`,
  })}` : '';
  return html`<h2>People</h2>${people.length ? table(['Email', 'Name', 'Role', 'Since', ''], rows) : html`<p>No one has a role here yet.</p>`}${add}`;
}

export async function peoplePage(req: Request, res: Response): Promise<void> {
  const courseId = String(req.params.course);
  const course = await staffGet<Course>(req, `/v1/courses/${courseId}`);
  const people = await staffGet<Member[]>(req, `/v1/courses/${courseId}/people`);
  let keys: SafeHtml;
  try {
    keys = keysSection(course, await staffGet<Key[]>(req, `/v1/courses/${courseId}/keys`));
  } catch (error) {
    if (!(error instanceof HttpError) || error.status !== 403) throw error;
    keys = html`<h2>Keys</h2><p>${error.message}.</p>`;
  }
  sendDashboardPage(res, 200, {
    title: `Keys and people of ${courseId}`,
    crumbs: [['Courses', '/'], [courseId, `/courses/${courseId}`]],
    body: html`${keys}${peopleSection(course, people)}`,
  });
}
