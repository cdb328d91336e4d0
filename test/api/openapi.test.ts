// The OpenAPI document is made from the route declarations: a route the app serves that the
// document leaves out (or the other way round) fails here, found by walking the running app's
// router; each route's declared security is what the app enforces; and the document still has
// every path, parameter, response code and schema of the hand-kept document it replaced.
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { dashboardRoutes } from '../../services/protocol/dashboard-routes.js';
import { VERDICTS } from '../../services/protocol/grade-result.js';
import { SUBMISSION_STATUSES } from '../../services/protocol/submission-status.js';
import { webRoutes } from '../../services/protocol/web-routes.js';
import type { PrivateRedis } from '../../services/queue/private-redis.js';
import { ASSIGNMENT, getJson, startTestApi, type TestApi } from '../support/api-fixtures.js';
import { removeTempDirs } from '../support/helpers.js';
import { privateRedis } from '../support/queue-fixtures.js';

interface Operation {
  security?: Array<Record<string, unknown>>;
  parameters?: Array<{ name: string; in: string }>;
  responses: Record<string, unknown>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { properties?: Record<string, Record<string, unknown>> }> };
}

/** What express keeps of a router: routes (a path and its methods) and mounted routers. */
interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
  rawPath?: unknown;
}

let redis: PrivateRedis;
let api: TestApi;
let doc: Document;

test.before(async () => {
  redis = await privateRedis();
  api = await startTestApi(redis);
  doc = (await getJson(api, '/openapi.json')).body as Document;
});
test.after(async () => {
  await api?.service.close();
  await redis?.stop();
  removeTempDirs();
});

/** `get /v1/submissions/:id` for every route in `stack`, mounted routers included. */
function servedRoutes(stack: Layer[], prefix = ''): string[] {
  return stack.flatMap((layer) => {
    if (layer.route) {
      const path = `${prefix}${layer.route.path}`;
      return Object.keys(layer.route.methods).map((method) => `${method} ${path}`);
    }
    if (!layer.handle.stack) return [];
    if (typeof layer.rawPath !== 'string') throw new Error('a router is mounted at a pattern: list its routes by hand');
    return servedRoutes(layer.handle.stack, layer.rawPath === '/' ? prefix : `${prefix}${layer.rawPath}`);
  });
}

/** The document's routes, and the dashboard's HTML pages (declared in protocol/web-routes.ts and dashboard-routes.ts, not part of the JSON API). */
function documentedRoutes(): string[] {
  const pages = [...Object.values(webRoutes), ...Object.values(dashboardRoutes)].map((route) => `${route.method} ${route.path.replace(/\{(\w+)\}/g, ':$1')}`);
  return [...pages, ...Object.entries(doc.paths).flatMap(([path, operations]) =>
    Object.keys(operations).map((method) => `${method} ${path.replace(/\{(\w+)\}/g, ':$1')}`))];
}

test('the document names exactly the routes the app serves', () => {
  const served = servedRoutes(api.service.app.router.stack as unknown as Layer[]).sort();
  const documented = documentedRoutes().sort();
  assert.ok(served.length >= 15, `the walk found the app's routes (${served.length})`);
  assert.equal(served.filter((r) => !documented.includes(r)), [], 'served but not in /openapi.json');
  assert.equal(documented.filter((r) => !served.includes(r)), [], 'in /openapi.json but not served');
});

/** A path of the document with its parameters filled in. */
function concrete(path: string): string {
  const values: Record<string, string> = { id: `sub_${'A'.repeat(22)}`, name: ASSIGNMENT, course: 'cs101', digest: 'a'.repeat(64), sha256: 'a'.repeat(64) };
  return path.replace(/\{(\w+)\}/g, (_whole, name: string) => values[name] ?? name);
}

test('a route the document says needs a token refuses a call without one; the others do not', async () => {
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const response = await fetch(`${api.url}${concrete(path)}`, { method: method.toUpperCase() });
      await response.arrayBuffer();
      if (operation.security) assert.is(response.status, 401, `${method} ${path} without a token`);
      // A public route that needs its input (the LTI login and launch) says it lacks it; it never asks for a token.
      else if (operation.parameters?.length || (operation as { requestBody?: unknown }).requestBody) assert.is(response.status, 400, `${method} ${path} without its input`);
      else assert.is(response.status, 200, `${method} ${path} answers anyone`);
    }
  }
});

/**
 * The hand-kept document's operations (what it had, plus the events route's `after` query it left
 * out; since the staff API, a 403 for a caller of the wrong kind, and staff may read and regrade
 * one submission), and the webhook routes integrators script against: method, path, security,
 * parameters and response codes. The staff API's routes are checked route by route, role by role,
 * in staff-access.test.ts.
 */
const CONTRACT = [
  'post /v1/submissions courseKey header:Idempotency-Key 202 400 401 403 404 409 413 415 422 429 503',
  'get /v1/submissions/{id} courseKey,staffKey,session path:id 200 401 403 404',
  'get /v1/submissions/{id}/events courseKey,staffKey,session path:id query:after header:Last-Event-ID 200 401 403 404 429',
  'post /v1/submissions/{id}/regrade courseKey,staffKey,session path:id 202 401 403 404 429',
  'get /v1/assignments/{name} courseKey path:name 200 401 403 404',
  'patch /v1/assignments/{name} courseKey path:name 200 400 401 403 404',
  'get /healthz - 200',
  'get /readyz - 200 503',
  'get /metrics operatorToken 200 401',
  'get /operator/v1/submissions/{id} operatorToken path:id 200 401 404',
  'get /openapi.json - 200',
  'get /internal/v1/submissions/{id}/files workerToken path:id 200 401 404',
  'get /internal/v1/graders/{digest} workerToken path:digest 200 401 404',
  'post /internal/v1/results workerToken 204 400 401 404 413',
  'put /internal/v1/evidence/{sha256} workerToken path:sha256 204 400 401 413',
  'post /v1/webhooks/endpoints courseKey 201 400 401',
  'get /v1/webhooks/endpoints courseKey 200 401',
  'get /v1/webhooks/endpoints/{id} courseKey path:id 200 401 404',
  'patch /v1/webhooks/endpoints/{id} courseKey path:id 200 400 401 404',
  'delete /v1/webhooks/endpoints/{id} courseKey path:id 204 401 404',
  'post /v1/webhooks/endpoints/{id}/rotate-secret courseKey path:id 200 401 404',
  'get /v1/webhooks/endpoints/{id}/deliveries courseKey path:id query:limit 200 401 404',
  'post /v1/webhooks/endpoints/{id}/deliveries/{message}/redeliver courseKey path:id path:message 202 401 404 409',
  'post /v1/webhooks/integrations courseKey 201 400 401',
  'get /v1/webhooks/integrations courseKey 200 401',
  'delete /v1/webhooks/integrations/{id} courseKey path:id 204 401 404',
  'post /v1/webhooks/inbound/{integration} webhookSignature path:integration header:webhook-id header:webhook-timestamp header:webhook-signature 202 400 401 404 413 422 429',
  // LTI 1.3 (services/protocol/lti-routes.ts)
  'get /.well-known/jwks.json - 200',
  'get /lti/login - query:iss query:login_hint query:target_link_uri query:lti_message_hint query:client_id query:lti_deployment_id 302 400',
  'post /lti/login - 302 400',
  'post /lti/launch - 200 400 401 403 409',
  'post /lti/deep-link ltiLaunch 200 400 401',
  'post /lti/v1/submissions ltiLaunch 202 400 401 403 413 415 422',
  'get /lti/v1/submissions/{id} ltiLaunch path:id 200 401 404',
  'post /lti/v1/roster ltiLaunch 200 401 403 409 502',
  'get /operator/v1/lti/platforms operatorToken 200 401',
  'post /operator/v1/lti/platforms operatorToken 201 400 401',
  'post /operator/v1/lti/contexts operatorToken 200 400 401 404',
  'get /operator/v1/lti/courses/{course}/passbacks operatorToken path:course 200 401',
];

function summary(method: string, path: string, operation: Operation): string {
  const security = operation.security?.map((s) => Object.keys(s).join('+')).join(',') ?? '-';
  const parameters = (operation.parameters ?? []).map((p) => `${p.in}:${p.name}`);
  return [method, path, security, ...parameters, ...Object.keys(operation.responses)].join(' ');
}

test('every operation of the hand-kept document is there, with its parameters, security and response codes', () => {
  const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => summary(method, path, op)));
  const kept = new Set(CONTRACT.map((line) => line.split(' ').slice(0, 2).join(' ')));
  assert.equal(operations.filter((line) => kept.has(line.split(' ').slice(0, 2).join(' '))).sort(), [...CONTRACT].sort());
});

test('every answer says its request id (X-Request-Id), and the app sends it', async () => {
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      for (const [status, response] of Object.entries(operation.responses)) {
        assert.ok((response as { headers?: Record<string, unknown> }).headers?.['X-Request-Id'], `${method} ${path} ${status}`);
      }
    }
  }
  const answer = await fetch(`${api.url}/healthz`, { headers: { 'X-Request-Id': 'r-openapi' } });
  await answer.arrayBuffer();
  assert.is(answer.headers.get('x-request-id'), 'r-openapi');
});

test('the schemas it named are there, the verdicts and statuses are the code\'s, and every $ref resolves', () => {
  const { schemas } = doc.components;
  for (const name of ['Error', 'Accepted', 'Submission', 'Result', 'Assignment', 'AssignmentChange']) assert.ok(schemas[name], name);
  assert.equal(schemas.Submission!.properties!.status!.enum, [...SUBMISSION_STATUSES]);
  assert.equal(JSON.stringify(schemas.Result!.properties!.verdict).match(/"enum":(\[[^\]]*\])/)?.[1], JSON.stringify(VERDICTS));
  const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"([^"]*)"/g)].map((m) => m[1]!);
  assert.ok(refs.length > 10, 'the document refers to its schemas');
  for (const ref of refs) assert.ok(ref.startsWith('#/components/schemas/') && schemas[ref.slice('#/components/schemas/'.length)], ref);
  assert.not.match(JSON.stringify(doc), '$defs', 'no schema left out of components');
});

test.run();
