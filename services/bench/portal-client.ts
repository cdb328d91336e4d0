// A small client of the portal API (what a course portal does): upload, read, wait for a grade.
// Used by the benchmark and the tests.
import { randomBytes } from 'node:crypto';

import { httpExchange } from '../common/http-exchange.js';

export interface PortalAccess {
  url: string;
  key: string;
}

export interface UploadAnswer {
  status: number;
  body: { id?: string; status?: string; error?: { code: string; message: string } } & Record<string, unknown>;
}

/** A name inside a multipart header, escaped as browsers do (WHATWG: `"`, CR and LF as %22, %0D, %0A). */
function quoted(name: string): string {
  return `"${name.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A')}"`;
}

/** A multipart/form-data body: the fields, then each file as a part named `files`. */
function multipartBody(fields: Record<string, string>, files: Record<string, string | Buffer>): { body: Buffer; contentType: string } {
  const boundary = `gradebox-${randomBytes(12).toString('hex')}`;
  const parts: Buffer[] = [];
  const part = (disposition: string, content: string | Buffer, type = ''): void => {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; ${disposition}\r\n${type}\r\n`), Buffer.from(content), Buffer.from('\r\n'));
  };
  for (const [name, value] of Object.entries(fields)) part(`name=${quoted(name)}`, value);
  for (const [name, content] of Object.entries(files)) part(`name="files"; filename=${quoted(name)}`, content, 'Content-Type: application/octet-stream\r\n');
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** One HTTP exchange (node:http: the client shares the machine with the service it measures); the answer must be JSON. */
async function exchange(url: string, method: string, headers: Record<string, string | number>, body?: Buffer): Promise<{ status: number; body: any }> {
  const answer = await httpExchange(url, { method, headers, body });
  try {
    return { status: answer.status, body: JSON.parse(answer.text) };
  } catch {
    throw new Error(`${method} ${url}: HTTP ${answer.status}, not JSON: ${answer.text.slice(0, 200)}`);
  }
}

/** POSTs a submission as multipart: form fields, then files by name. */
export async function uploadSubmission(access: PortalAccess, fields: Record<string, string>, files: Record<string, string | Buffer>, headers: Record<string, string> = {}): Promise<UploadAnswer> {
  const { body, contentType } = multipartBody(fields, files);
  return exchange(`${access.url}/v1/submissions`, 'POST', {
    authorization: `Bearer ${access.key}`, 'content-type': contentType, 'content-length': body.length, ...headers,
  }, body);
}

export async function readSubmission(access: PortalAccess, id: string): Promise<any> {
  return (await exchange(`${access.url}/v1/submissions/${id}`, 'GET', { authorization: `Bearer ${access.key}` })).body;
}

/** Polls until the submission is graded (or failed for good). */
export async function waitUntilGraded(access: PortalAccess, id: string, timeoutMs = 120_000, pollMs = 100): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const submission = await readSubmission(access, id).catch(() => null);
    if (submission && (submission.status === 'graded' || submission.status === 'error')) return submission;
    if (Date.now() > deadline) throw new Error(`submission ${id} not graded in ${timeoutMs} ms: ${JSON.stringify(submission)}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
