// A course's incidents (a forbidden system call each) with their triage state, and one incident:
// the offender as the audit log recorded it, that log's lines, what the evidence archive holds, the
// archive itself (the API checks its sha256 before it sends it), and triage for instructors.
import type { Request, Response } from 'express';
import type { z } from 'zod';

import type { incidentDetail, incidentPage as incidentPageView } from '../../../protocol/staff-schemas.js';
import { triageState } from '../../../protocol/staff-schemas.js';
import { sendDashboardPage } from '../dashboard-layout.js';
import { actionForm, NEEDS_SCRIPT, table, when } from '../fragments.js';
import { html, type SafeHtml } from '../html-page.js';
import { staffGet, withQuery } from '../staff-client.js';
import { mayEdit, type Course } from './course-page.js';

type IncidentPage = z.infer<typeof incidentPageView>;
type IncidentDetail = z.infer<typeof incidentDetail>;

const STATES = triageState.options;

export async function incidentsPage(req: Request, res: Response): Promise<void> {
  const courseId = String(req.params.course);
  const state = typeof req.query.state === 'string' && (STATES as string[]).includes(req.query.state) ? req.query.state : undefined;
  const cursor = typeof req.query.cursor === 'string' ? req.query.cursor : undefined;
  const page = await staffGet<IncidentPage>(req, withQuery('/v1/incidents', { course: courseId, state, cursor }));
  const rows = page.incidents.map((i) => [
    html`<a href="/incidents/${i.id}">${i.id}</a>`, html`<a href="/submissions/${i.submission}">${i.submission}</a>`, i.test ?? '—',
    html`<code>${i.syscall}</code>`, when(i.created_at), i.triage.state,
  ]);
  const choice = STATES.map((s) => html`<option${s === state ? html` selected` : ''}>${s}</option>`);
  sendDashboardPage(res, 200, {
    title: `Incidents of ${courseId}`,
    crumbs: [['Courses', '/'], [courseId, `/courses/${courseId}`]],
    body: html`<form class="filters" method="get" aria-label="Filter incidents"><label>Triage state <select name="state"><option value="">any</option>${choice}</select></label><button type="submit">Filter</button></form>
${rows.length ? table(['Incident', 'Submission', 'Test', 'System call', 'When', 'Triage'], rows) : html`<p>No incident${state ? ` in state ${state}` : ''}.</p>`}
${page.next_cursor ? html`<p><a href="${withQuery(`/courses/${courseId}/incidents`, { state, cursor: page.next_cursor })}">Older incidents</a></p>` : ''}`,
  });
}

/** An object's fields as a definition list (values that are not text shown as JSON). */
function fieldList(value: Record<string, unknown>): SafeHtml {
  return html`<dl class="facts">${Object.entries(value).map(([k, v]) => html`<dt>${k}</dt><dd>${typeof v === 'string' || typeof v === 'number' ? v : html`<code>${JSON.stringify(v)}</code>`}</dd>`)}</dl>`;
}

/** The manifest's entries (gradebox-snapshot's JSON: path, type, size, and a file's sha256). */
function manifestRows(manifest: unknown): Array<Array<string | number | SafeHtml>> {
  const entries = (manifest as { entries?: unknown } | null)?.entries;
  if (!Array.isArray(entries)) return [];
  return entries.map((e: { path?: unknown; type?: unknown; size?: unknown; sha256?: unknown }) => [
    String(e.path ?? ''), String(e.type ?? ''), typeof e.size === 'number' ? e.size : '—', typeof e.sha256 === 'string' ? html`<code>${e.sha256}</code>` : '—',
  ]);
}

function triageForm(i: IncidentDetail): SafeHtml {
  const options = STATES.map((s) => html`<option${s === i.triage.state ? html` selected` : ''}>${s}</option>`);
  return html`<h2>Triage</h2>${NEEDS_SCRIPT}${actionForm({
    api: `/v1/incidents/${i.id}`, method: 'PATCH', label: 'Triage', button: 'Save triage',
    fields: html`<label>State <select name="state">${options}</select></label><label>Note <input name="note" maxlength="4000" value="${i.triage.note ?? ''}"></label>`,
  })}`;
}

export async function incidentPage(req: Request, res: Response): Promise<void> {
  const i = await staffGet<IncidentDetail>(req, `/v1/incidents/${String(req.params.id)}`);
  const course = await staffGet<Course>(req, `/v1/courses/${i.course}`);
  const manifest = manifestRows(i.manifest);
  sendDashboardPage(res, 200, {
    title: `Incident ${i.id}: ${i.syscall}`,
    crumbs: [['Courses', '/'], [i.course, `/courses/${i.course}`], ['Incidents', `/courses/${i.course}/incidents`]],
    body: html`<dl class="facts"><dt>Submission</dt><dd><a href="/submissions/${i.submission}">${i.submission}</a> (grading ${i.grade_number})</dd>
<dt>Test</dt><dd>${i.test ?? '—'}</dd><dt>System call</dt><dd><code>${i.syscall}</code></dd><dt>When</dt><dd>${when(i.created_at)}</dd>
<dt>Triage</dt><dd id="triage-state">${i.triage.state}${i.triage.by ? html` by ${i.triage.by}, ${when(i.triage.at)}` : ''}${i.triage.note ? html`: ${i.triage.note}` : ''}</dd></dl>
<h2>Evidence</h2>
${i.evidence ? html`<p><a id="evidence-link" href="/v1/incidents/${i.id}/evidence" download="incident-${i.id}.tar">Download the evidence archive</a> (sha256 <code>${i.evidence.sha256}</code>, checked by the server before it is sent).</p>` : html`<p>No evidence archive was kept.</p>`}
${manifest.length ? table(['Path', 'Type', '#Bytes', 'sha256'], manifest, 'What the sandbox could write, as the archive holds it') : ''}
<h2>Offender</h2>${i.offender ? fieldList(i.offender) : html`<p>The audit log's record of the violation did not arrive.</p>`}
<h2>Audit log lines</h2>${table(['#Seq', 'Type', 'Hash'], i.audit.map((line) => [line.seq, line.type, html`<code>${line.hash}</code>`]))}
${mayEdit(course) ? triageForm(i) : ''}`,
  });
}
