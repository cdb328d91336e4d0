// The dashboard reads through the staff API, as the browser's own session: each page asks this
// server's /v1 routes over loopback with the request's cookie. So one place (the staff API and its
// role table) decides what a person may see, and a page can never show more than the API would.
import type { Request } from 'express';

import { HttpError } from '../http-errors.js';

/** This server's own address, as the request reached it (the port it listens on). */
function selfOrigin(req: Request): string {
  const address = req.socket.localAddress ?? '127.0.0.1';
  const host = address.startsWith('::ffff:') ? address.slice(7) : address;
  return `http://${host.includes(':') ? `[${host}]` : host}:${req.socket.localPort}`;
}

/** The answer of a GET of `path`; an error answer is thrown as an HttpError of the same status and message. */
async function staffFetch(req: Request, path: string): Promise<Response> {
  const response = await fetch(`${selfOrigin(req)}${path}`, {
    headers: { cookie: req.get('cookie') ?? '' }, redirect: 'error', signal: AbortSignal.timeout(15_000),
  });
  if (response.ok) return response;
  const body = await response.json().catch(() => null) as { error?: { code: string; message: string } } | null;
  throw new HttpError(response.status, body?.error?.code ?? 'E_INTERNAL', body?.error?.message ?? `the staff API answered ${response.status}`);
}

/** The staff API's JSON answer to a GET of `path`. */
export async function staffGet<T>(req: Request, path: string): Promise<T> {
  return await (await staffFetch(req, path)).json() as T;
}

/** A file the staff API sends as bytes (a submission's file). */
export async function staffGetBytes(req: Request, path: string): Promise<Buffer> {
  return Buffer.from(await (await staffFetch(req, path)).arrayBuffer());
}

/** The path with its query: only the values given, encoded. */
export function withQuery(path: string, query: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value) params.set(name, value);
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}
