// One request to a platform's service (token, line items, scores, roster): our User-Agent (Canvas
// refuses requests without one), a timeout, no redirect followed (a bearer token is never sent on
// to another address), and the answer's status with its JSON body when it has one.
import { USER_AGENT } from './lti-settings.js';

export interface PlatformAnswer {
  status: number;
  headers: Headers;
  /** The body parsed as JSON, or null when it is not JSON. */
  json: unknown;
  /** The body's first characters, for a message. */
  excerpt: string;
}

/** The platform did not answer, or answered what the request cannot go on with. */
export class PlatformFailure extends Error {
  override readonly name = 'PlatformFailure';
  constructor(
    message: string,
    /** The HTTP status, or null when no answer came. */
    readonly status: number | null,
    /** True when trying again cannot help (the platform refused what was asked). */
    readonly final: boolean,
    /** The platform's Retry-After, ms. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}

export async function platformRequest(url: string, init: { method: string; headers?: Record<string, string>; body?: string }, timeoutMs: number): Promise<PlatformAnswer> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: init.method, body: init.body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs),
      headers: { 'user-agent': USER_AGENT, ...init.headers },
    });
  } catch (error) {
    throw new PlatformFailure(`${init.method} ${url} got no answer: ${(error as Error).message}`, null, false);
  }
  const text = await response.text();
  let json: unknown = null;
  try {
    json = text === '' ? null : JSON.parse(text);
  } catch { /* not JSON: the excerpt says what it was */ }
  return { status: response.status, headers: response.headers, json, excerpt: text.slice(0, 300) };
}

/** A Retry-After header (seconds, or an HTTP date) in ms from now; null when absent or unreadable. */
export function retryAfterMs(header: string | null, nowMs = Date.now()): number | null {
  if (header === null) return null;
  if (/^\d{1,9}$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : null;
}

/** An answer that is not 2xx, as the failure it is: 429, 5xx and a redirect may pass; any other 4xx is final. */
export function failureOf(what: string, answer: PlatformAnswer): PlatformFailure {
  const transient = answer.status === 429 || answer.status >= 500 || (answer.status >= 300 && answer.status < 400) || answer.status === 408;
  return new PlatformFailure(`${what}: the platform answered ${answer.status} ${answer.excerpt}`.trim(), answer.status, !transient,
    retryAfterMs(answer.headers.get('retry-after')));
}
