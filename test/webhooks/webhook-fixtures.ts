// Shared by the webhook tests: an endpoint registered through the API, a delivery verified with the
// Standard Webhooks reference library (never with gradebox's own code), and a grading result.
import { Webhook } from 'standardwebhooks';

import type { TestApi } from '../support/api-fixtures.js';
import type { ReceivedWebhook } from '../support/webhook-receiver.js';

export interface Registered {
  status: number;
  body: any;
}

/** Calls the API with a course key (the test course's by default) and a JSON body. */
export async function callApi(api: TestApi, method: string, path: string, body?: unknown, key = api.key): Promise<Registered> {
  const response = await fetch(`${api.url}${path}`, {
    method, headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** Registers an endpoint through the API; it must be accepted. Returns its id and secret. */
export async function registerEndpoint(api: TestApi, url: string, events?: string[]): Promise<{ id: string; secret: string }> {
  const { status, body } = await callApi(api, 'POST', '/v1/webhooks/endpoints', { url, ...(events ? { events } : {}) });
  if (status !== 201) throw new Error(`endpoint refused: ${status} ${JSON.stringify(body)}`);
  return { id: body.id, secret: body.secret };
}

/** The payload of a delivery as the reference library verifies it with `secret` (it throws when the signature does not hold). */
export function verified(request: ReceivedWebhook, secret: string): any {
  return new Webhook(secret).verify(request.body, request.headers);
}

/** A grading result with one test per entry (`after_due_date` ones are withheld: the test assignment has no due date). */
export function gradeResult(tests: Array<{ name: string; verdict: 'AC' | 'WA'; visibility?: string }>) {
  const shaped = tests.map((t) => ({
    name: t.name, visibility: t.visibility ?? 'visible', verdict: t.verdict, output: `${t.name} output`, score: t.verdict === 'AC' ? 1 : 0, max_score: 1,
    status: t.verdict === 'AC' ? 'passed' : 'failed', cpu_ms: 1, wall_ms: 2, memory_kb: 3,
  }));
  return {
    score: shaped.reduce((sum, t) => sum + t.score, 0), max_score: shaped.length, execution_time: 0.1, output: '',
    verdict: shaped.find((t) => t.verdict !== 'AC')?.verdict ?? 'AC', gradable: true, tests: shaped,
    provenance: { grader_digest: 'a'.repeat(64), grader_dir: '/srv/graders/sum', seed: 1 },
    incidents: [], internal_problems: ['an operator-only note'], sandbox_launch_ms: [2],
  };
}
