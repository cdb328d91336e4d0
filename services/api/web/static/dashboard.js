// The dashboard's one script (loaded from /static, never inline: the pages' CSP runs no other).
// It enhances server-rendered pages that read fine without it:
// - a form marked data-api sends its fields to the staff API (JSON, or the form itself for an
//   upload) with the session's CSRF token, then follows data-then or reloads; an error is shown
//   in the form's .form-error, as text;
// - an element marked data-live-submission follows that submission's events and reloads the page
//   once it is graded; data-live-queue redraws the queue's numbers from /v1/queue/events.
// Nothing it receives is ever parsed as HTML: it writes textContent only.
'use strict';

const csrfToken = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? '';

/** The form's fields as JSON: empty ones left out, data-json="number|boolean" fields converted. */
function formJson(form) {
  const body = {};
  for (const field of form.elements) {
    if (!field.name || field.disabled || field.type === 'submit') continue;
    if (field.type === 'checkbox') {
      if (field.dataset.json === 'boolean') body[field.name] = field.checked;
      continue;
    }
    if (field.value === '') continue;
    if (field.dataset.json === 'number') body[field.name] = Number(field.value);
    else if (field.dataset.json === 'datetime') body[field.name] = new Date(`${field.value}Z`).toISOString(); // the field is in UTC
    else body[field.name] = field.value;
  }
  return JSON.stringify(body);
}

function showError(form, message) {
  const out = form.querySelector('.form-error');
  if (out) out.textContent = message;
}

/** The answer's body as text for the page: a JSON error's message, a created secret, else nothing. */
async function afterSend(form, response) {
  const text = await response.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch { body = null; }
  if (!response.ok) {
    showError(form, body?.error?.message ?? `The server answered ${response.status}.`);
    return;
  }
  if (form.dataset.show && body) {
    // A secret shown once (a new key or password): kept on this page until it is left.
    const out = document.getElementById(form.dataset.show);
    const value = form.dataset.showField.split('.').reduce((v, k) => v?.[k], body);
    out.textContent = String(value ?? '');
    out.hidden = false;
    out.closest('[hidden]')?.removeAttribute('hidden');
    return;
  }
  if (form.dataset.then) window.location.assign(form.dataset.then.replace(/\{(\w+)\}/g, (_, name) => encodeURIComponent(body?.[name] ?? '')));
  else window.location.reload();
}

async function send(event) {
  const form = event.currentTarget;
  event.preventDefault();
  showError(form, '');
  const upload = form.enctype === 'multipart/form-data';
  const headers = { 'x-csrf-token': csrfToken };
  if (!upload) headers['content-type'] = 'application/json';
  const button = form.querySelector('button');
  if (button) button.disabled = true;
  try {
    const response = await fetch(form.dataset.api, {
      method: form.dataset.method ?? 'POST', headers, credentials: 'same-origin',
      body: form.dataset.method === 'GET' ? undefined : (upload ? new FormData(form) : formJson(form)),
    });
    await afterSend(form, response);
  } catch (error) {
    showError(form, `Could not reach the server: ${error.message}`);
  } finally {
    if (button) button.disabled = false;
  }
}

for (const form of document.querySelectorAll('form[data-api]')) {
  form.hidden = false; // hidden until this script can send it
  form.addEventListener('submit', send);
}
for (const note of document.querySelectorAll('.needs-script')) note.hidden = true;

// A grading in progress: say where it stands, reload once it has an outcome.
for (const element of document.querySelectorAll('[data-live-submission]')) {
  const id = element.dataset.liveSubmission;
  const after = element.dataset.liveAfter;
  const stream = new EventSource(`/v1/submissions/${encodeURIComponent(id)}/events${after ? `?after=${encodeURIComponent(after)}` : ''}`);
  let judged = 0;
  stream.addEventListener('running', () => { element.textContent = 'running'; });
  stream.addEventListener('test', () => { judged += 1; element.textContent = `running: ${judged} test${judged === 1 ? '' : 's'} judged`; });
  const settle = () => { stream.close(); window.location.reload(); };
  stream.addEventListener('graded', settle);
  stream.addEventListener('failed', settle);
}

/** Sets the text of every element of the live queue marked data-field="a.b" from the event's value. */
function fillQueue(root, queue) {
  for (const cell of root.querySelectorAll('[data-field]')) {
    const value = cell.dataset.field.split('.').reduce((v, k) => v?.[k], queue);
    cell.textContent = value === null || value === undefined ? '—' : String(value);
  }
  const workers = root.querySelector('[data-workers]');
  if (workers && Array.isArray(queue.workers)) {
    const rows = queue.workers.map((w) => {
      const row = document.createElement('tr');
      for (const value of [w.id, w.cpus, `${w.busy} of ${w.slots}`, w.seen_at]) {
        const cell = document.createElement('td');
        cell.textContent = String(value);
        row.append(cell);
      }
      return row;
    });
    workers.replaceChildren(...rows);
  }
  const stamp = root.querySelector('[data-updated]');
  if (stamp) stamp.textContent = new Date().toISOString().slice(11, 19);
}

for (const root of document.querySelectorAll('[data-live-queue]')) {
  const stream = new EventSource('/v1/queue/events');
  stream.addEventListener('queue', (event) => fillQueue(root, JSON.parse(event.data)));
}
