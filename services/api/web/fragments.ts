// Small pieces several pages draw: a verdict, a time, a histogram, an action form for the script,
// a source file with its line numbers. Every value goes through `html`, which escapes it.
import { html, type SafeHtml } from './html-page.js';

export function verdictBadge(verdict: string | null | undefined): SafeHtml {
  if (!verdict) return html`<span class="muted">—</span>`;
  return html`<span class="verdict verdict-${/^[A-Z]{2,3}$/.test(verdict) ? verdict : 'other'}">${verdict}</span>`;
}

/** A time as UTC text, in a <time> element that keeps the exact instant. */
export function when(iso: string | null | undefined): SafeHtml {
  if (!iso) return html`<span class="muted">—</span>`;
  return html`<time datetime="${iso}">${iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC')}</time>`;
}

/** A submission's status; one still grading (when `live`) is followed by the script, which reloads the page once it is done. */
export function submissionStatus(id: string, status: string, live: boolean): SafeHtml | string {
  return live && (status === 'queued' || status === 'running') ? html`<span data-live-submission="${id}">${status}</span>` : status;
}

export function score(value: number | null, max: number | null): string {
  return value === null || max === null ? '—' : `${value} / ${max}`;
}

/** Scores in ten bins of 10 % as a bar chart (SVG: no inline style, which the CSP forbids), with its numbers in words. */
export function histogram(bins: number[], label: string): SafeHtml {
  const top = Math.max(1, ...bins);
  const words = bins.map((n, i) => `${i * 10}–${i === 9 ? 100 : i * 10 + 9}%: ${n}`).join(', ');
  const bars = bins.map((n, i) => {
    const height = Math.round((n / top) * 60);
    return html`<rect x="${i * 34 + 2}" y="${70 - height}" width="30" height="${height}"><title>${i * 10}–${i * 10 + 10}%: ${n}</title></rect>
<text x="${i * 34 + 17}" y="82" text-anchor="middle">${i * 10}</text>`;
  });
  return html`<svg class="histogram" viewBox="0 0 342 86" role="img" aria-label="${label}: ${words}">${bars}</svg>`;
}

export interface ActionForm {
  /** The staff API route the script sends the form to. */
  api: string;
  method?: 'POST' | 'PATCH' | 'PUT';
  /** Where to go afterwards ({field} is taken from the answer); else the page is reloaded. */
  then?: string;
  upload?: boolean;
  /** The id of an element that shows a secret from the answer (field path in showField). */
  show?: { id: string; field: string };
  fields: SafeHtml | SafeHtml[] | string;
  button: string;
  danger?: boolean;
  label: string;
}

/** A form the script sends to the staff API: hidden until the script runs (without it, nothing could send it). */
export function actionForm(form: ActionForm): SafeHtml {
  return html`<form class="action" hidden aria-label="${form.label}" data-api="${form.api}" data-method="${form.method ?? 'POST'}"
${form.then ? html` data-then="${form.then}"` : ''}${form.show ? html` data-show="${form.show.id}" data-show-field="${form.show.field}"` : ''}${form.upload ? html` enctype="multipart/form-data"` : ''}>
${form.fields}<button type="submit"${form.danger ? html` class="danger"` : ''}>${form.button}</button>
<p class="form-error" role="alert"></p>
</form>`;
}

export const NEEDS_SCRIPT = html`<p class="needs-script notice">Changing things here needs JavaScript; everything can be read without it.</p>`;

/** A text file with its line numbers (an ordered list: the numbers are not copied with the text). */
export function sourceListing(path: string, text: string): SafeHtml {
  const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
  return html`<h3>${path}</h3><ol class="source" aria-label="${path}">${lines.map((line) => html`<li>${line === '' ? ' ' : line}</li>`)}</ol>`;
}

/** A table, its head from `columns` (a column named with a leading # is numeric). */
export function table(columns: string[], rows: Array<Array<SafeHtml | string | number>>, caption?: string): SafeHtml {
  const head = columns.map((c) => (c.startsWith('#') ? html`<th scope="col" class="num">${c.slice(1)}</th>` : html`<th scope="col">${c}</th>`));
  const body = rows.map((row) => html`<tr>${row.map((cell, i) => (columns[i]?.startsWith('#') ? html`<td class="num">${cell}</td>` : html`<td>${cell}</td>`))}</tr>`);
  return html`<div class="scroll"><table>${caption ? html`<caption class="muted">${caption}</caption>` : ''}<thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
}
