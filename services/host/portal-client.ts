// A small client of the portal API (what a course portal does): upload, read, wait for a grade.
// Used by the benchmark and the tests.

export interface PortalAccess {
  url: string;
  key: string;
}

export interface UploadAnswer {
  status: number;
  body: { id?: string; status?: string; error?: { code: string; message: string } } & Record<string, unknown>;
}

/** POSTs a submission as multipart: form fields, then files by name. */
export async function uploadSubmission(access: PortalAccess, fields: Record<string, string>, files: Record<string, string | Buffer>, headers: Record<string, string> = {}): Promise<UploadAnswer> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  for (const [name, content] of Object.entries(files)) form.append('files', new Blob([content]), name);
  const response = await fetch(`${access.url}/v1/submissions`, { method: 'POST', body: form, headers: { authorization: `Bearer ${access.key}`, ...headers } });
  return { status: response.status, body: (await response.json()) as UploadAnswer['body'] };
}

export async function readSubmission(access: PortalAccess, id: string): Promise<any> {
  const response = await fetch(`${access.url}/v1/submissions/${id}`, { headers: { authorization: `Bearer ${access.key}` } });
  return response.json();
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
