// A course: its assignments with their submissions counted by verdict and a histogram of scores,
// links to its incidents, keys and people and the scores' CSV; instructors add an assignment here
// from a grader zip.
import type { Request, Response } from 'express';
import type { z } from 'zod';

import { VERDICTS } from '../../../protocol/grade-result.js';
import type { courseView, staffAssignmentView } from '../../../protocol/staff-schemas.js';
import { sendDashboardPage } from '../dashboard-layout.js';
import { actionForm, histogram, NEEDS_SCRIPT, table, when } from '../fragments.js';
import { html, type SafeHtml } from '../html-page.js';
import { staffGet } from '../staff-client.js';

export type Course = z.infer<typeof courseView>;
type Assignment = z.infer<typeof staffAssignmentView>;

/** Whether the caller's role in the course lets it change assignments and graders (not a TA's). */
export function mayEdit(course: Course): boolean {
  return course.role !== 'ta';
}

function assignmentRow(course: Course, a: Assignment): Array<SafeHtml | string | number> {
  const counts = a.counts;
  const byVerdict = VERDICTS.filter((v) => (counts?.by_verdict[v] ?? 0) > 0).map((v) => `${v} ${counts!.by_verdict[v]}`).join(' · ');
  return [
    html`<a href="/courses/${course.id}/assignments/${a.name}">${a.name}</a>`, a.state, when(a.due_at),
    counts?.submissions ?? 0, counts?.students ?? 0, byVerdict || '—',
    counts ? histogram(counts.score_histogram, `Scores of ${a.name}`) : '—',
  ];
}

function newAssignmentForm(course: Course): SafeHtml {
  return html`<h2>New assignment</h2>
<p>Upload the grader folder as one .zip (grader.yaml at its top); its <code>submissions/</code> are the samples the self-test grades.
The assignment starts as a draft: students can submit once it is published.</p>
${NEEDS_SCRIPT}${actionForm({
    api: `/v1/courses/${course.id}/assignments`, upload: true, then: `/courses/${course.id}/assignments/{name}`,
    label: 'New assignment', button: 'Upload grader',
    fields: html`<label>Name <input name="name" required pattern="[A-Za-z0-9][A-Za-z0-9._\\-]{0,99}"></label>
<label>Grader (.zip) <input name="grader" type="file" accept=".zip,application/zip" required></label>
<label>Format <select name="format"><option value="gradebox">gradebox grader</option><option value="kattis">Kattis package</option></select></label>`,
  })}`;
}

export async function coursePage(req: Request, res: Response): Promise<void> {
  const id = String(req.params.course);
  const course = await staffGet<Course>(req, `/v1/courses/${id}`);
  const assignments = await staffGet<Assignment[]>(req, `/v1/courses/${id}/assignments`);
  const rows = assignments.map((a) => assignmentRow(course, a));
  sendDashboardPage(res, 200, {
    title: `${course.name} (${course.id})`,
    crumbs: [['Courses', '/']],
    body: html`${course.archived_at ? html`<p class="notice">This course is archived: it takes no submissions.</p>` : ''}
<p><a href="/courses/${id}/incidents">Incidents</a> · <a href="/courses/${id}/people">Keys and people</a> · <a href="/v1/courses/${id}/scores.csv" download>Scores (CSV)</a></p>
<h2>Assignments</h2>
${assignments.length === 0 ? html`<p>No assignment yet.</p>`
    : table(['Assignment', 'State', 'Due', '#Submissions', '#Students', 'Newest per student, by verdict', 'Scores (0–100 %)'], rows)}
${mayEdit(course) ? newAssignmentForm(course) : ''}`,
  });
}
