// The home page: the courses the person may see, and (admins) a form to create one.
import type { Request, Response } from 'express';
import type { z } from 'zod';

import type { courseView } from '../../../protocol/staff-schemas.js';
import { actorOf } from '../../identify.js';
import { sendDashboardPage } from '../dashboard-layout.js';
import { actionForm, NEEDS_SCRIPT, table, when } from '../fragments.js';
import { html } from '../html-page.js';
import { staffGet } from '../staff-client.js';

type Course = z.infer<typeof courseView>;

const ROLE_NAMES: Record<Course['role'], string> = { admin: 'admin', instructor: 'instructor', ta: 'TA', staff_key: 'staff key' };

export async function coursesPage(req: Request, res: Response): Promise<void> {
  const courses = await staffGet<Course[]>(req, '/v1/courses');
  const actor = actorOf(res);
  const admin = actor?.kind === 'user' && actor.user.admin;
  const rows = courses.map((c) => [html`<a href="/courses/${c.id}">${c.id}</a>`, c.name, ROLE_NAMES[c.role], c.archived_at ? html`archived ${when(c.archived_at)}` : 'open']);
  const create = admin ? html`<h2>New course</h2>${NEEDS_SCRIPT}${actionForm({
    api: '/v1/courses', then: '/courses/{id}', label: 'New course', button: 'Create course',
    fields: html`<label>Id <input name="id" required pattern="[a-z0-9]([a-z0-9\-]{0,38}[a-z0-9])?" placeholder="cs101"></label>
<label>Name <input name="name" placeholder="Intro to CS"></label>`,
  })}` : '';
  sendDashboardPage(res, 200, {
    title: 'Courses',
    body: html`${courses.length === 0 ? html`<p>You have no course yet${admin ? '' : ': ask an instructor or an admin to add you to one'}.</p>` : table(['Course', 'Name', 'Your role', 'State'], rows)}
${create}`,
  });
}
