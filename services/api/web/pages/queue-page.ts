// The queue and the workers, live: jobs by state, submissions waiting or grading per course, the
// workers alive with their slots, throughput and latency. Served whole (readable without the
// script); the script redraws the numbers from the staff API's queue events every 2 s.
import type { Request, Response } from 'express';
import type { z } from 'zod';

import type { queueView } from '../../../protocol/staff-schemas.js';
import { sendDashboardPage } from '../dashboard-layout.js';
import { table, when } from '../fragments.js';
import { html } from '../html-page.js';
import { staffGet } from '../staff-client.js';

type Queue = z.infer<typeof queueView>;

const JOB_STATES = ['waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed'];

function cell(field: string, value: unknown) {
  return html`<span data-field="${field}">${value === null || value === undefined ? '—' : String(value)}</span>`;
}

export async function queuePage(req: Request, res: Response): Promise<void> {
  const q = await staffGet<Queue>(req, '/v1/queue');
  const jobs = JOB_STATES.map((s) => [s, cell(`jobs.${s}`, q.jobs?.[s] ?? (q.jobs ? 0 : null))]);
  const workers = (q.workers ?? []).map((w) => html`<tr><td>${w.id}</td><td>${w.cpus}</td><td>${w.busy} of ${w.slots}</td><td>${w.seen_at}</td></tr>`);
  sendDashboardPage(res, 200, {
    title: 'Queue and workers',
    body: html`<div data-live-queue>
<p class="live">Updated live every 2 s; last at <span data-updated>${when(new Date().toISOString())}</span>.</p>
${q.jobs === null ? html`<p class="notice">Redis does not answer: the jobs' states are unknown.</p>` : ''}
<h2>Jobs by state</h2>${table(['State', '#Jobs'], jobs)}
<h2>Throughput and latency</h2>
<dl class="facts"><dt>Graded, last 5 minutes</dt><dd>${cell('throughput.last_5_minutes', q.throughput.last_5_minutes)}</dd>
<dt>Graded, last hour</dt><dd>${cell('throughput.last_hour', q.throughput.last_hour)}</dd>
<dt>Upload to result, median (ms)</dt><dd>${cell('latency_ms.p50', q.latency_ms.p50)}</dd>
<dt>Upload to result, 95th percentile (ms)</dt><dd>${cell('latency_ms.p95', q.latency_ms.p95)}</dd></dl>
<h2>Waiting and grading by course</h2>
${q.by_course.length ? table(['Course', '#Queued', '#Grading'], q.by_course.map((c) => [html`<a href="/courses/${c.course}">${c.course}</a>`, c.queued, c.running])) : html`<p>Nothing waiting.</p>`}
<h2>Workers</h2>
<div class="scroll"><table><thead><tr><th scope="col">Worker</th><th scope="col">CPUs</th><th scope="col">Slots busy</th><th scope="col">Last seen</th></tr></thead>
<tbody data-workers>${workers}</tbody></table></div>
</div>`,
  });
}
