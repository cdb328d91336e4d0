// One submission for its staff: an incident banner when it made a forbidden call, its files with
// line numbers, the newest grading test by test (the checker's words and, for a wrong answer, the
// expected output beside the program's from where they part; what each test used), the earlier gradings, its events; a regrade button; live while it grades.
// Everything here came from a student's program or files: it is all escaped (html`` does it).
import type { Request, Response } from 'express';
import type { z } from 'zod';

import type { OutputDiff } from '../../../protocol/grade-result.js';
import type { submissionRecord } from '../../../protocol/staff-schemas.js';
import { sendDashboardPage } from '../dashboard-layout.js';
import { actionForm, score, sourceListing, table, verdictBadge, when } from '../fragments.js';
import { html, type SafeHtml } from '../html-page.js';
import { staffGet, staffGetBytes, withQuery } from '../staff-client.js';

type SubmissionRecord = z.infer<typeof submissionRecord>;
type Grading = SubmissionRecord['gradings'][number];

/** Files shown inline: at most this many, each at most this large (the rest are links). */
const SHOWN_FILES = 20;
const SHOWN_BYTES = 256 * 1024;

interface ShownTest {
  name: string; visibility?: string; verdict?: string; score?: number; max_score?: number; output?: string;
  cpu_ms?: number; wall_ms?: number; memory_kb?: number; diff?: OutputDiff;
}

function incidentBanner(record: SubmissionRecord): SafeHtml | string {
  if (record.incidents.length === 0) return '';
  const items = record.incidents.map((i) => {
    const { syscall, test } = i as { syscall?: string; test?: string | null };
    return html`<li><a href="/incidents/${i.id}">Incident ${i.id}</a>: forbidden system call <code>${syscall ?? '?'}</code>${test ? html` in test ${test}` : ''}</li>`;
  });
  return html`<div class="banner" role="alert"><strong>This submission made a forbidden system call.</strong> The sandbox stopped it and kept the evidence.<ul>${items}</ul></div>`;
}

async function filesSection(req: Request, record: SubmissionRecord): Promise<SafeHtml> {
  const id = record.submission.id;
  const parts: SafeHtml[] = [];
  for (const [index, file] of record.files.entries()) {
    const link = withQuery(`/v1/submissions/${id}/file`, { path: file.path });
    if (index >= SHOWN_FILES || file.size > SHOWN_BYTES) {
      parts.push(html`<h3>${file.path}</h3><p><a href="${link}" download>Download</a> (${file.size} bytes, not shown here)</p>`);
      continue;
    }
    const bytes = await staffGetBytes(req, link);
    parts.push(bytes.includes(0) ? html`<h3>${file.path}</h3><p>Binary, ${file.size} bytes: <a href="${link}" download>download</a>.</p>` : sourceListing(file.path, bytes.toString('utf8')));
  }
  return html`<h2>Files</h2>${parts.length ? parts : html`<p>No file.</p>`}`;
}

/** One side of a diff, its lines numbered from `from`, the first differing line marked. */
function diffSide(label: string, text: string, from: number, first: number): SafeHtml {
  const lines = text.split('\n').map((line, i) => (from + i === first ? html`<span class="changed">${line || ' '}</span>` : line));
  return html`<div><h4>${label}</h4><pre>${lines.map((line, i) => html`${i > 0 ? '\n' : ''}${line}`)}</pre></div>`;
}

function testDetail(t: ShownTest): SafeHtml {
  const words = t.output ? html`<pre>${t.output}</pre>` : html`<span class="muted">—</span>`;
  if (!t.diff) return words;
  const { from_line: from, first_line: first } = t.diff;
  return html`${words}<div class="diff" aria-label="Expected and actual output of ${t.name}">${diffSide(`Expected, from line ${from}`, t.diff.expected, from, first)}${diffSide(`Program's output, from line ${from}`, t.diff.actual, from, first)}</div>`;
}

function testRows(tests: ShownTest[]): Array<Array<SafeHtml | string | number>> {
  return tests.map((t) => [
    t.name, t.visibility ?? '—', verdictBadge(t.verdict), score(t.score ?? null, t.max_score ?? null),
    t.cpu_ms ?? '—', t.wall_ms ?? '—', t.memory_kb ?? '—', testDetail(t),
  ]);
}

function gradingSection(g: Grading): SafeHtml {
  const result = g.result as { verdict?: string; score?: number; max_score?: number; output?: string; tests?: ShownTest[]; gradable?: boolean } | null;
  if (!result) return html`<p>Grading ${g.grade_number} failed: ${g.error ?? 'no detail'} (reference <code>${g.reference}</code>).</p>`;
  return html`<p>Grading ${g.grade_number}, ${when(g.created_at)}: ${verdictBadge(result.verdict)} ${score(result.score ?? null, result.max_score ?? null)}${result.gradable === false ? ' (not gradable: the sandbox or a checker failed)' : ''}.</p>
${result.output ? html`<h3>Build output</h3><pre>${result.output}</pre>` : ''}
${table(['Test', 'Visibility', 'Verdict', 'Score', '#CPU ms', '#Wall ms', '#Memory KiB', 'Where the output differs'], testRows(result.tests ?? []))}`;
}

function facts(record: SubmissionRecord): SafeHtml {
  const s = record.submission;
  const pending = s.status === 'queued' || s.status === 'running';
  const lastEvent = record.events.at(-1)?.seq;
  return html`<dl class="facts"><dt>Student</dt><dd>${s.student}</dd>
<dt>Assignment</dt><dd><a href="/courses/${s.course}/assignments/${s.assignment}">${s.assignment}</a></dd>
<dt>Status</dt><dd id="submission-status">${pending ? html`<span data-live-submission="${s.id}" data-live-after="${lastEvent ?? ''}">${s.status}</span> <span class="live">(updates live)</span>` : s.status}</dd>
<dt>Verdict</dt><dd id="submission-verdict">${verdictBadge(s.verdict)}</dd><dt>Score</dt><dd>${score(s.score, s.max_score)}</dd>
<dt>Grading</dt><dd>${s.grade_number} (${s.attempts} attempt${s.attempts === 1 ? '' : 's'})</dd><dt>Sent</dt><dd>${when(s.created_at)}</dd>
${s.error ? html`<dt>Error</dt><dd>${s.error}</dd>` : ''}</dl>`;
}

export async function submissionPage(req: Request, res: Response): Promise<void> {
  const id = String(req.params.id);
  const record = await staffGet<SubmissionRecord>(req, `/v1/submissions/${id}/record`);
  const s = record.submission;
  const [latest, ...earlier] = [...record.gradings].sort((a, b) => b.grade_number - a.grade_number);
  sendDashboardPage(res, 200, {
    title: `Submission ${s.id}`,
    crumbs: [['Courses', '/'], [s.course, `/courses/${s.course}`], [s.assignment, `/courses/${s.course}/assignments/${s.assignment}`]],
    body: html`${incidentBanner(record)}${facts(record)}
${actionForm({ api: `/v1/submissions/${s.id}/regrade`, label: 'Regrade', button: 'Regrade', fields: '' })}
<h2>Result</h2>${latest ? gradingSection(latest) : html`<p>Not graded yet.</p>`}
${earlier.length ? html`<details><summary>Earlier gradings (${earlier.length})</summary>${earlier.map(gradingSection)}</details>` : ''}
${await filesSection(req, record)}
<h2>Events</h2>${table(['#', 'Event', 'When'], record.events.map((e) => [e.seq, e.type, when(e.at)]))}`,
  });
}
