// An assignment: its grader (language, tests and their visibility, files), the self-test of its
// samples, the controls instructors use (self-test, publish, due date, release, a new grader,
// archive), and its submissions with filters, "regrade all" and live rows for gradings under way.
import type { Request, Response } from 'express';
import type { z } from 'zod';

import { VERDICTS } from '../../../protocol/grade-result.js';
import { SUBMISSION_STATUSES } from '../../../protocol/submission-status.js';
import type { selfTestView, staffAssignmentView, submissionPage } from '../../../protocol/staff-schemas.js';
import { sendDashboardPage } from '../dashboard-layout.js';
import { actionForm, NEEDS_SCRIPT, score, submissionStatus, table, verdictBadge, when } from '../fragments.js';
import { html, type SafeHtml } from '../html-page.js';
import { staffGet, withQuery } from '../staff-client.js';
import { mayEdit, type Course } from './course-page.js';

type Assignment = z.infer<typeof staffAssignmentView>;
type SelfTest = z.infer<typeof selfTestView>;
type SubmissionPage = z.infer<typeof submissionPage>;

/** The gradings the page follows live (each holds one of the browser's few connections to this host). */
const LIVE_ROWS = 3;

function graderSection(a: Assignment): SafeHtml {
  const g = a.grader;
  if (!g) return html`<h2>Grader</h2><p>This assignment was added before graders were kept as snapshots: add its grader again to see it here.</p>`;
  const tests = g.tests.map((t) => [t.name, t.visibility ?? 'visible', t.points ?? 1, t.checker ?? '—']);
  return html`<h2>Grader</h2>
<dl class="facts"><dt>Language</dt><dd>${g.language ?? '—'}${g.mode ? ` (${g.mode})` : ''}</dd>
<dt>From</dt><dd>${g.source}</dd><dt>Digest</dt><dd><code>${g.digest}</code></dd>
<dt>Accepted files</dt><dd>${(g.extensions ?? []).join(' ') || '—'}</dd></dl>
<h3>Tests</h3>${table(['Test', 'Visibility', '#Points', 'Checker'], tests)}
<details><summary>Files of the grader (${g.files.length})</summary>${table(['Path', '#Bytes', 'sha256'], g.files.map((f) => [f.path, f.size, html`<code>${f.sha256}</code>`]))}</details>`;
}

function selfTestSection(course: Course, a: Assignment, base: string): SafeHtml {
  const run = a.self_test;
  const button = mayEdit(course) && a.grader ? actionForm({ api: `${base}/self-test`, label: 'Self-test', button: 'Run the self-test', fields: '' }) : '';
  const samples = a.samples ?? [];
  if (!run) return html`<h2>Self-test</h2><p>Not run yet (${samples.length} sample${samples.length === 1 ? '' : 's'}: each must get its expected verdict before the assignment can be published).</p>${button}`;
  return html`<h2>Self-test</h2>
<p id="self-test-status">Self-test <strong class="state-${run.status}">${run.status}</strong>, ${when(run.created_at)} by ${run.requested_by}${run.current ? '' : ' (of an earlier grader: run it again)'}.
${run.status === 'running' ? html`<span class="live">(updates live)</span>` : ''}</p>
${selfTestCases(run)}${button}`;
}

function selfTestCases(run: SelfTest): SafeHtml {
  return table(['Sample', 'Expected', 'Got', 'Status', 'Submission'], run.cases.map((c, i) => [
    c.name, verdictBadge(c.expected), verdictBadge(c.got), submissionStatus(c.submission, c.status, i < LIVE_ROWS), html`<a href="/submissions/${c.submission}">${c.submission}</a>`,
  ]));
}

function controls(course: Course, a: Assignment, base: string): SafeHtml {
  if (!mayEdit(course)) return html`<p class="muted">Your role (TA) lets you read and regrade; the grader and the schedule are the instructors'.</p>`;
  const due = a.due_at ? a.due_at.slice(0, 16) : '';
  return html`<h2>Publish and release</h2>${NEEDS_SCRIPT}
${a.state === 'draft' ? actionForm({ api: `${base}/publish`, label: 'Publish', button: 'Publish (open to submissions)', fields: '' }) : ''}
${actionForm({ api: base, method: 'PATCH', label: 'Due date', button: 'Set due date', fields: html`<label>Due (UTC) <input name="due_at" type="datetime-local" data-json="datetime" value="${due}"></label>` })}
${actionForm({ api: base, method: 'PATCH', label: 'Feedback release', button: 'Save release', fields: html`<label class="check"><input type="checkbox" name="feedback_released" data-json="boolean"${a.feedback_released_at ? html` checked` : ''}> Feedback released to students</label>` })}
<h3>A new grader</h3>
${actionForm({ api: `${base}/grader`, method: 'PUT', upload: true, label: 'Replace grader', button: 'Upload new grader', fields: html`<label>Grader (.zip) <input name="grader" type="file" accept=".zip,application/zip" required></label>` })}
${a.state !== 'archived' ? actionForm({ api: `${base}/archive`, label: 'Archive', button: 'Archive (no more submissions)', danger: true, fields: '' }) : ''}`;
}

function filterForm(req: Request): SafeHtml {
  const q = (name: string) => (typeof req.query[name] === 'string' ? req.query[name] : '');
  const options = (list: readonly string[], chosen: string) => list.map((v) => html`<option${v === chosen ? html` selected` : ''}>${v}</option>`);
  return html`<form class="filters" method="get" aria-label="Filter submissions">
<label>Student <input name="student" value="${q('student')}"></label>
<label>Verdict <select name="verdict"><option value="">any</option>${options(VERDICTS, q('verdict'))}</select></label>
<label>Status <select name="status"><option value="">any</option>${options(SUBMISSION_STATUSES, q('status'))}</select></label>
<button type="submit">Filter</button></form>`;
}

function submissionRows(page: SubmissionPage): Array<Array<SafeHtml | string | number>> {
  let live = 0;
  return page.submissions.map((s) => {
    const pending = s.status === 'queued' || s.status === 'running';
    const status = submissionStatus(s.id, s.status, pending && live++ < LIVE_ROWS);
    return [html`<a href="/submissions/${s.id}">${s.id}</a>`, s.student, status, verdictBadge(s.verdict), score(s.score, s.max_score), s.grade_number, when(s.created_at)];
  });
}

export async function assignmentPage(req: Request, res: Response): Promise<void> {
  const courseId = String(req.params.course);
  const name = String(req.params.name);
  const base = `/v1/courses/${courseId}/assignments/${name}`;
  const course = await staffGet<Course>(req, `/v1/courses/${courseId}`);
  const a = await staffGet<Assignment>(req, base);
  const filter = { student: req.query.student, verdict: req.query.verdict, status: req.query.status, cursor: req.query.cursor };
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const query = { course: courseId, assignment: name, student: text(filter.student), verdict: text(filter.verdict), status: text(filter.status) };
  const page = await staffGet<SubmissionPage>(req, withQuery('/v1/submissions', { ...query, cursor: text(filter.cursor) }));
  const next = page.next_cursor ? withQuery(`/courses/${courseId}/assignments/${name}`, { ...query, course: undefined, assignment: undefined, cursor: page.next_cursor }) : null;
  const regradeFields = Object.entries(query).filter(([, v]) => v).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`);
  sendDashboardPage(res, 200, {
    title: `${name}`,
    crumbs: [['Courses', '/'], [course.id, `/courses/${course.id}`]],
    body: html`<dl class="facts"><dt>State</dt><dd id="assignment-state">${a.state}</dd><dt>Due</dt><dd>${when(a.due_at)}</dd>
<dt>Feedback released</dt><dd>${a.feedback_released_at ? when(a.feedback_released_at) : 'no'}</dd></dl>
${graderSection(a)}${selfTestSection(course, a, base)}${controls(course, a, base)}
<h2>Submissions</h2>${filterForm(req)}
${page.submissions.length === 0 ? html`<p>No submission matches.</p>` : table(['Submission', 'Student', 'Status', 'Verdict', 'Score', '#Grading', 'Sent'], submissionRows(page))}
${next ? html`<p><a href="${next}">Older submissions</a></p>` : ''}
${actionForm({ api: '/v1/regrades', label: 'Regrade all', button: 'Regrade all shown by the filter', then: `/courses/${courseId}/assignments/${name}`, fields: regradeFields })}`,
  });
}
