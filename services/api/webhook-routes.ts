// A course's webhooks as its portal manages them: outbound endpoints (register, list, change,
// rotate the secret, remove, read the delivery log, redeliver) and inbound integrations. Who may
// do so is decided in one place, webhookAdminAuth.
import express, { Router } from 'express';
import type { z } from 'zod';

import { apiRoutes } from '../protocol/api-routes.js';
import { firstIssue } from '../protocol/first-issue.js';
import {
  deliveryLimit, endpointChange, endpointCreate, integrationCreate,
  type deliveryView, type endpointView, type integrationView,
} from '../protocol/webhook-schemas.js';
import type { Store } from '../store/store.js';
import type { InboundIntegration, WebhookDelivery, WebhookEndpoint } from '../store/webhook-store.js';
import type { EndpointRegistry } from '../webhooks/endpoint-registry.js';
import { courseOf, portalKeyAuth } from './auth.js';
import { HttpError } from './http-errors.js';
import { serveRoute } from './serve-route.js';

/**
 * Who may manage a course's webhooks: whoever holds one of its portal keys (the integration's own
 * key). The one place to widen or tighten, so that every webhook route follows.
 */
export function webhookAdminAuth(_store: Store): express.RequestHandler {
  return portalKeyAuth();
}

function parsed<T extends z.ZodType>(schema: T, body: unknown, hint: string): z.infer<T> {
  const result = schema.safeParse(body);
  if (!result.success) throw new HttpError(400, 'E_BAD_REQUEST', `the body is invalid (${firstIssue(result.error)}); ${hint}`);
  return result.data;
}

export function endpointJson(e: WebhookEndpoint): z.infer<typeof endpointView> {
  return {
    id: e.id, url: e.url, events: e.eventTypes, description: e.description, enabled: e.disabledAt === null, disabled_at: e.disabledAt,
    disabled_reason: e.disabledReason, failing_since: e.failingSince, previous_secret_expires_at: e.previousSecretExpiresAt,
    created_at: e.createdAt, updated_at: e.updatedAt,
  };
}

function deliveryJson(d: WebhookDelivery): z.infer<typeof deliveryView> {
  return {
    message_id: d.messageId, type: d.type, state: d.state, next_attempt_at: d.nextAttemptAt, created_at: d.createdAt, updated_at: d.updatedAt,
    attempts: d.attempts.map((a) => ({ attempt: a.attempt, at: a.startedAt, status: a.status, latency_ms: a.latencyMs, error: a.error, outcome: a.outcome })),
  };
}

function integrationJson(i: InboundIntegration): z.infer<typeof integrationView> {
  return { id: i.id, label: i.label, path: `/v1/webhooks/inbound/${i.id}`, created_at: i.createdAt };
}

function endpointRoutes(router: Router, registry: EndpointRegistry): void {
  const json = express.json({ limit: '16kb' });
  serveRoute(router, apiRoutes.createWebhookEndpoint, json, async (req, res) => {
    const input = parsed(endpointCreate, req.body, 'send {"url": "https://…", "events": ["submission.graded"]} (events optional)');
    const { endpoint, secret } = await registry.add(courseOf(res), { url: input.url, eventTypes: input.events, description: input.description });
    res.status(201).json({ ...endpointJson(endpoint), secret });
  });
  serveRoute(router, apiRoutes.webhookEndpoints, async (_req, res) => {
    res.json({ endpoints: (await registry.list(courseOf(res))).map(endpointJson) });
  });
  serveRoute(router, apiRoutes.webhookEndpoint, async (req, res) => { res.json(endpointJson(await registry.get(String(req.params.id), courseOf(res)))); });
  serveRoute(router, apiRoutes.changeWebhookEndpoint, json, async (req, res) => {
    const change = parsed(endpointChange, req.body, 'send url, events, description and/or enabled');
    if (Object.keys(change).length === 0) throw new HttpError(400, 'E_BAD_REQUEST', 'nothing to change: send url, events, description and/or enabled');
    const { url, events, description, enabled } = change;
    res.json(endpointJson(await registry.change(String(req.params.id), { url, eventTypes: events, description, enabled }, courseOf(res))));
  });
  serveRoute(router, apiRoutes.removeWebhookEndpoint, async (req, res) => {
    await registry.remove(String(req.params.id), courseOf(res));
    res.status(204).end();
  });
  serveRoute(router, apiRoutes.rotateWebhookSecret, async (req, res) => {
    const { endpoint, secret } = await registry.rotate(String(req.params.id), courseOf(res));
    res.json({ secret, previous_secret_expires_at: endpoint.previousSecretExpiresAt! });
  });
  serveRoute(router, apiRoutes.webhookDeliveries, async (req, res) => {
    const limit = req.query.limit === undefined ? undefined : deliveryLimit.safeParse(req.query.limit).data;
    if (req.query.limit !== undefined && limit === undefined) throw new HttpError(400, 'E_BAD_REQUEST', 'limit must be a whole number from 1 to 200');
    res.json({ deliveries: (await registry.deliveries(String(req.params.id), limit, courseOf(res))).map(deliveryJson) });
  });
  serveRoute(router, apiRoutes.redeliverWebhook, async (req, res) => {
    res.status(202).json(deliveryJson(await registry.redeliver(String(req.params.id), String(req.params.message), courseOf(res))));
  });
}

function integrationRoutes(router: Router, store: Store): void {
  serveRoute(router, apiRoutes.createInboundIntegration, express.json({ limit: '4kb' }), async (req, res) => {
    const { label } = parsed(integrationCreate, req.body ?? {}, 'send {} or {"label": "Moodle"}');
    const { integration, secret } = await store.createInboundIntegration(courseOf(res), label);
    res.status(201).json({ ...integrationJson(integration), secret });
  });
  serveRoute(router, apiRoutes.inboundIntegrations, async (_req, res) => {
    res.json({ integrations: (await store.listInboundIntegrations(courseOf(res))).map(integrationJson) });
  });
  serveRoute(router, apiRoutes.removeInboundIntegration, async (req, res) => {
    const integration = await store.findInboundIntegration(String(req.params.id));
    if (!integration || integration.courseId !== courseOf(res)) throw new HttpError(404, 'E_NOT_FOUND', `no inbound integration ${String(req.params.id)} in this course`);
    await store.removeInboundIntegration(integration.id);
    res.status(204).end();
  });
}

export function webhookRoutes(store: Store, registry: EndpointRegistry): Router {
  const router = Router();
  router.use('/v1/webhooks/endpoints', webhookAdminAuth(store));
  router.use('/v1/webhooks/integrations', webhookAdminAuth(store));
  endpointRoutes(router, registry);
  integrationRoutes(router, store);
  return router;
}
