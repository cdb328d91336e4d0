// Every route of the API, declared once: the express app serves exactly these (a test walks its
// router) and the OpenAPI document at /openapi.json is made from them.
import {
  accepted, assignmentChange, errorBody, eventCursor, healthAnswer, idempotencyKey, assignmentView,
  readyAnswer, retryAfterSeconds, submissionView, submissionUpload,
} from './api-schemas.js';
import { sha256Hex } from './digest.js';
import type { HttpRoute, RouteContent, RouteResponse, RouteSecurity } from './http-route.js';
import { assignmentName, submissionId } from './ids.js';
import { resultMessageSchema } from './result-message.js';
import { inboundIntegrationId, webhookEndpointId, webhookMessageId } from './webhook-ids.js';
import {
  deliveryLimit, deliveryList, deliveryView, endpointChange, endpointCreate, endpointCreated, endpointList, endpointView,
  webhookHeaders, inboundPayload, integrationCreate, integrationCreated, integrationList, secretRotated,
} from './webhook-schemas.js';

function json(schema?: RouteContent['schema']): RouteContent {
  return { type: 'application/json', schema };
}

const error: RouteResponse = { description: 'What was wrong, and how to fix it', content: json(errorBody) };
const limited: RouteResponse = {
  description: 'Over this course key\'s limit: wait the Retry-After seconds',
  headers: { 'Retry-After': retryAfterSeconds },
  content: json(errorBody),
};
const assignment: RouteResponse = { description: 'The assignment', content: json(assignmentView) };
const tar = (description: string): RouteResponse => ({ description, content: { type: 'application/x-tar' } });
const refused: RouteResponse = { description: 'Not for this kind of caller (a staff key, or a role that may not)', content: json(errorBody) };
/** A course portal's key, or the course's staff (a staff key, or a signed-in person whose role allows it). */
const portalOrStaff: RouteSecurity[] = ['courseKey', 'staffKey', 'session'];

export const apiRoutes = {
  upload: {
    method: 'post', path: '/v1/submissions', summary: 'Upload a submission', security: 'courseKey',
    headers: { 'Idempotency-Key': idempotencyKey },
    body: { type: 'multipart/form-data', schema: submissionUpload },
    responses: {
      202: { description: 'Stored and queued', content: json(accepted) },
      400: error, 401: error, 403: refused, 404: error, 409: error, 413: error, 415: error, 422: error, 429: limited, 503: error,
    },
  },
  submission: {
    method: 'get', path: '/v1/submissions/{id}', summary: 'A submission and its result, as the student may see it now', security: portalOrStaff,
    params: { id: submissionId },
    responses: { 200: { description: 'The submission', content: json(submissionView) }, 401: error, 403: refused, 404: error },
  },
  events: {
    method: 'get', path: '/v1/submissions/{id}/events', security: portalOrStaff,
    summary: 'Server-sent events as the submission progresses (queued, running, test while a long grading runs, graded with the result, error), shown as the student may see them now',
    params: { id: submissionId },
    headers: { 'Last-Event-ID': eventCursor },
    query: { after: eventCursor },
    responses: {
      200: { description: 'An event stream; it ends after graded or error, or after its longest life (resume with Last-Event-ID)', content: { type: 'text/event-stream' } },
      401: error, 403: refused, 404: error, 429: { ...limited, description: 'This course key holds its most open streams' },
    },
  },
  regrade: {
    method: 'post', path: '/v1/submissions/{id}/regrade', summary: 'Grade the submission again (queued below fresh submissions)', security: portalOrStaff,
    params: { id: submissionId },
    responses: { 202: { description: 'Queued again', content: json(accepted) }, 401: error, 403: refused, 404: error, 429: limited },
  },
  assignment: {
    method: 'get', path: '/v1/assignments/{name}', summary: 'An assignment\'s due date and feedback release', security: 'courseKey',
    params: { name: assignmentName },
    responses: { 200: assignment, 401: error, 403: refused, 404: error },
  },
  changeAssignment: {
    method: 'patch', path: '/v1/assignments/{name}', security: 'courseKey',
    summary: 'Set the due date and/or release the feedback: what students see changes at once, nothing is regraded',
    params: { name: assignmentName },
    body: json(assignmentChange),
    responses: { 200: assignment, 400: error, 401: error, 403: refused, 404: error },
  },
  health: {
    method: 'get', path: '/healthz', summary: 'The process is alive',
    responses: { 200: { description: 'ok', content: json(healthAnswer) } },
  },
  ready: {
    method: 'get', path: '/readyz', summary: 'The store and the queue answer',
    responses: { 200: { description: 'ready', content: json(readyAnswer) }, 503: error },
  },
  metrics: {
    method: 'get', path: '/metrics', summary: 'Prometheus metrics', security: 'operatorToken',
    responses: { 200: { description: 'text exposition format', content: { type: 'text/plain' } }, 401: error },
  },
  operatorSubmission: {
    method: 'get', path: '/operator/v1/submissions/{id}', security: 'operatorToken',
    summary: 'Operators: a submission\'s whole record (every grading\'s result or failure detail under its reference, incidents, events)',
    params: { id: submissionId },
    responses: { 200: { description: 'The record', content: json() }, 401: error, 404: error },
  },
  openapi: {
    method: 'get', path: '/openapi.json', summary: 'This document',
    responses: { 200: { description: 'OpenAPI 3.1', content: json() } },
  },
  submissionFiles: {
    method: 'get', path: '/internal/v1/submissions/{id}/files', summary: 'Workers: a submission\'s files as a tar', security: 'workerToken',
    params: { id: submissionId },
    responses: { 200: tar('application/x-tar'), 401: error, 404: error },
  },
  grader: {
    method: 'get', path: '/internal/v1/graders/{digest}', summary: 'Workers: a grader folder as a tar', security: 'workerToken',
    params: { digest: sha256Hex },
    responses: { 200: tar('application/x-tar'), 401: error, 404: error },
  },
  results: {
    method: 'post', path: '/internal/v1/results', security: 'workerToken',
    summary: 'Workers: a message about a grading (started, finished, failed); a grading\'s outcome is stored once',
    body: json(resultMessageSchema),
    responses: { 204: { description: 'stored (or already had)' }, 400: error, 401: error, 404: error, 413: error },
  },
  evidence: {
    method: 'put', path: '/internal/v1/evidence/{sha256}', summary: 'Workers: store an incident\'s evidence archive', security: 'workerToken',
    params: { sha256: sha256Hex },
    body: { type: 'application/octet-stream' },
    responses: { 204: { description: 'stored' }, 400: error, 401: error, 413: error },
  },
  createWebhookEndpoint: {
    method: 'post', path: '/v1/webhooks/endpoints', security: 'courseKey',
    summary: 'Send the course\'s events to a URL, signed (Standard Webhooks); its secret is shown once',
    body: json(endpointCreate),
    responses: { 201: { description: 'Registered', content: json(endpointCreated) }, 400: error, 401: error },
  },
  webhookEndpoints: {
    method: 'get', path: '/v1/webhooks/endpoints', summary: 'The course\'s webhook endpoints', security: 'courseKey',
    responses: { 200: { description: 'Its endpoints', content: json(endpointList) }, 401: error },
  },
  webhookEndpoint: {
    method: 'get', path: '/v1/webhooks/endpoints/{id}', summary: 'A webhook endpoint, and whether it is still sent to', security: 'courseKey',
    params: { id: webhookEndpointId },
    responses: { 200: { description: 'The endpoint', content: json(endpointView) }, 401: error, 404: error },
  },
  changeWebhookEndpoint: {
    method: 'patch', path: '/v1/webhooks/endpoints/{id}', security: 'courseKey',
    summary: 'Change an endpoint\'s URL, events or description, or enable it again (after a 410 or days of failures)',
    params: { id: webhookEndpointId },
    body: json(endpointChange),
    responses: { 200: { description: 'The endpoint', content: json(endpointView) }, 400: error, 401: error, 404: error },
  },
  removeWebhookEndpoint: {
    method: 'delete', path: '/v1/webhooks/endpoints/{id}', summary: 'Stop sending to an endpoint and forget it (its delivery log too)', security: 'courseKey',
    params: { id: webhookEndpointId },
    responses: { 204: { description: 'Removed' }, 401: error, 404: error },
  },
  rotateWebhookSecret: {
    method: 'post', path: '/v1/webhooks/endpoints/{id}/rotate-secret', security: 'courseKey',
    summary: 'A new signing secret, shown once; the old one keeps signing beside it for a while (two v1 signatures)',
    params: { id: webhookEndpointId },
    responses: { 200: { description: 'The new secret', content: json(secretRotated) }, 401: error, 404: error },
  },
  webhookDeliveries: {
    method: 'get', path: '/v1/webhooks/endpoints/{id}/deliveries', security: 'courseKey',
    summary: 'The endpoint\'s delivery log: each message sent to it, each attempt with its status, latency and error',
    params: { id: webhookEndpointId },
    query: { limit: deliveryLimit },
    responses: { 200: { description: 'Newest first', content: json(deliveryList) }, 401: error, 404: error },
  },
  redeliverWebhook: {
    method: 'post', path: '/v1/webhooks/endpoints/{id}/deliveries/{message}/redeliver', security: 'courseKey',
    summary: 'Send a message to the endpoint again (the same webhook-id), on a fresh retry schedule',
    params: { id: webhookEndpointId, message: webhookMessageId },
    responses: { 202: { description: 'Queued again', content: json(deliveryView) }, 401: error, 404: error, 409: error },
  },
  createInboundIntegration: {
    method: 'post', path: '/v1/webhooks/integrations', security: 'courseKey',
    summary: 'Let an LMS or portal create submissions and ask for regrades by signed webhook; its secret is shown once',
    body: json(integrationCreate),
    responses: { 201: { description: 'Registered', content: json(integrationCreated) }, 400: error, 401: error },
  },
  inboundIntegrations: {
    method: 'get', path: '/v1/webhooks/integrations', summary: 'The course\'s inbound integrations', security: 'courseKey',
    responses: { 200: { description: 'Its integrations', content: json(integrationList) }, 401: error },
  },
  removeInboundIntegration: {
    method: 'delete', path: '/v1/webhooks/integrations/{id}', summary: 'Refuse what an integration sends from now on', security: 'courseKey',
    params: { id: inboundIntegrationId },
    responses: { 204: { description: 'Removed' }, 401: error, 404: error },
  },
  inboundWebhook: {
    method: 'post', path: '/v1/webhooks/inbound/{integration}', security: 'webhookSignature',
    summary: 'An integration\'s signed webhook: create a submission (files in base64) or regrade one; a webhook-id sent again does nothing more',
    params: { integration: inboundIntegrationId },
    headers: webhookHeaders,
    body: json(inboundPayload),
    responses: {
      202: { description: 'Stored and queued (a webhook-id seen before: the same answer, with Idempotent-Replayed: true)', content: json(accepted) },
      400: error, 401: error, 404: error, 413: error, 422: error, 429: limited,
    },
  },
} satisfies Record<string, HttpRoute>;
