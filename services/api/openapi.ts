// The API's OpenAPI 3.1 document, served at /openapi.json: made from the route declarations
// (services/protocol/api-routes.ts) and the zod schemas the routes check their input with, so it
// cannot drift from what the app serves.
import { z } from 'zod';

import { apiRoutes } from '../protocol/api-routes.js';
import { namedSchemas as apiSchemas } from '../protocol/api-schemas.js';
import { ltiRoutes } from '../protocol/lti-routes.js';
import { requestId } from '../protocol/request-id.js';
import { staffRoutes } from '../protocol/staff-routes.js';
import { staffSchemas } from '../protocol/staff-schemas.js';
import type { HttpRoute, RouteContent, RouteResponse } from '../protocol/http-route.js';
import { WEBHOOK_EVENT_SUMMARIES, WEBHOOK_EVENT_TYPES, webhookEventPayloads } from '../protocol/webhook-events.js';
import { webhookHeaders, webhookNamedSchemas } from '../protocol/webhook-schemas.js';

type JsonSchema = Record<string, unknown>;

const SCHEMAS = '#/components/schemas/';

const namedSchemas: Record<string, z.ZodType> = { ...apiSchemas, ...staffSchemas, ...webhookNamedSchemas };

const securitySchemes = {
  courseKey: { type: 'http', scheme: 'bearer', description: 'A course key of the portal scope, from `gradebox keys create --course C`' },
  staffKey: { type: 'http', scheme: 'bearer', description: 'A course key of the staff scope (`gradebox keys create --course C --scope staff`): the instructor API for that course' },
  session: {
    type: 'apiKey', in: 'cookie', name: '__Host-gbx_session',
    description: 'A person signed in at /signin. A request that changes anything must also send the session\'s CSRF token (GET /v1/me) as X-CSRF-Token',
  },
  workerToken: { type: 'http', scheme: 'bearer', description: 'The workers\' shared token (internal routes only)' },
  operatorToken: { type: 'http', scheme: 'bearer', description: 'The operators\' token: GRADEBOX_OPERATOR_TOKEN, or the file operator-token in the data folder' },
  ltiLaunch: { type: 'http', scheme: 'bearer', description: 'The launch token an LTI launch\'s page holds (short-lived; a form post sends it as launch_token)' },
  webhookSignature: {
    type: 'apiKey', in: 'header', name: 'webhook-signature',
    description: 'Standard Webhooks: v1,<base64 HMAC-SHA256 of webhook-id.webhook-timestamp.body> keyed with the integration\'s whsec_ secret (base64 after the prefix)',
  },
};

/** OpenAPI keeps neither `$schema` nor `$id` inside a document. */
function bare({ $schema: _schema, $id: _id, ...rest }: JsonSchema): JsonSchema {
  return rest;
}

/** components.schemas: every named schema, referring to the others by `$ref`. */
function componentSchemas(): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(namedSchemas)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { uri: (id) => `${SCHEMAS}${id}` });
  return Object.fromEntries(Object.entries(schemas).map(([id, schema]) => [id, bare(schema as JsonSchema)]));
}

/** A named schema by reference, any other written out. */
function schemaOf(schema: z.ZodType): JsonSchema {
  const name = Object.keys(namedSchemas).find((id) => namedSchemas[id] === schema);
  return name ? { $ref: `${SCHEMAS}${name}` } : bare(z.toJSONSchema(schema) as JsonSchema);
}

function contentOf(content: RouteContent): Record<string, unknown> {
  return { [content.type]: content.schema ? { schema: schemaOf(content.schema) } : {} };
}

/** A parameter or header: its schema's description said beside it, as OpenAPI readers show it. */
function described(schema: z.ZodType): { schema: JsonSchema; description?: string } {
  const { description, ...rest } = schemaOf(schema);
  return typeof description === 'string' ? { schema: rest, description } : { schema: rest };
}

/** Every answer carries an X-Request-Id (services/api/request-id.ts); a request may send its own, and
 * one that is not like it is replaced by a new id. Said on each response rather than as a parameter
 * of each operation: it is never needed, and a caller that leaves it out loses nothing. */
const requestIdHeader = requestId.describe('The id of this request in gradebox\'s logs, and in the job and the worker\'s log lines of a grading it asks for: the X-Request-Id the request sent when it is like this, else a new one');

function parametersOf(route: HttpRoute): Array<Record<string, unknown>> {
  const of = (where: string, entries: Record<string, z.ZodType> | undefined, required: boolean) =>
    Object.entries(entries ?? {}).map(([name, schema]) => ({ name, in: where, required, ...described(schema) }));
  return [...of('path', route.params, true), ...of('query', route.query, false), ...of('header', route.headers, false)];
}

function responseOf(response: RouteResponse): Record<string, unknown> {
  const headers = { ...response.headers, 'X-Request-Id': requestIdHeader };
  return {
    description: response.description,
    headers: Object.fromEntries(Object.entries(headers).map(([name, schema]) => [name, described(schema)])),
    ...(response.content ? { content: contentOf(response.content) } : {}),
  };
}

function operationOf(route: HttpRoute): Record<string, unknown> {
  const parameters = parametersOf(route);
  return {
    summary: route.summary,
    ...(route.security ? { security: [route.security].flat().map((scheme) => ({ [scheme]: [] })) } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(route.body ? { requestBody: { required: true, content: contentOf(route.body) } } : {}),
    responses: Object.fromEntries(Object.entries(route.responses).map(([status, response]) => [status, responseOf(response)])),
  };
}

/**
 * What gradebox sends to a course's webhook endpoints (OpenAPI 3.1 `webhooks`): each event type's
 * payload, with the Standard Webhooks headers; any 2xx answer is a delivery.
 */
function outboundWebhooks(): Record<string, unknown> {
  const headers = parametersOf({ headers: webhookHeaders } as unknown as HttpRoute);
  return Object.fromEntries(WEBHOOK_EVENT_TYPES.map((type) => [type, {
    post: {
      summary: WEBHOOK_EVENT_SUMMARIES[type],
      parameters: headers,
      requestBody: { required: true, content: { 'application/json': { schema: schemaOf(webhookEventPayloads[type]) } } },
      responses: { '2XX': { description: 'Delivered' }, 410: { description: 'Gone: gradebox disables the endpoint' } },
    },
  }]));
}

/** The document for `routes`. */
export function buildOpenApiDocument(routes: readonly HttpRoute[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) (paths[route.path] ??= {})[route.method] = operationOf(route);
  return {
    openapi: '3.1.0',
    info: {
      title: 'gradebox',
      version: '1',
      description: 'Submissions in, grades out: every submission is graded in a sandbox against its assignment\'s grader.',
    },
    components: { securitySchemes, schemas: componentSchemas() },
    paths,
    webhooks: outboundWebhooks(),
  };
}

export const openApiDocument = buildOpenApiDocument([...Object.values(apiRoutes), ...Object.values(staffRoutes), ...Object.values(ltiRoutes)]);
