// The operators' LTI routes (the operators' token): register a platform (or add a deployment to
// it), list them, map an LMS course onto a gradebox course, and read a course's grade passbacks.
import express, { Router } from 'express';

import { contextLink, ltiRoutes, platformRegistration } from '../protocol/lti-routes.js';
import type { LtiPlatform, LtiScoreDelivery } from '../store/lti-store.js';
import type { Store } from '../store/store.js';
import { operatorAuth } from './auth.js';
import { HttpError } from './http-errors.js';
import { serveRoute } from './serve-route.js';

const platformView = (p: LtiPlatform) => ({
  id: p.id, issuer: p.issuer, client_id: p.clientId, deployment_ids: p.deploymentIds,
  auth_url: p.authUrl, token_url: p.tokenUrl, jwks_url: p.jwksUrl, created_at: p.createdAt,
});

const passbackView = (d: LtiScoreDelivery) => ({
  id: d.id, submission: d.submissionId, grade_number: d.gradeNumber, student: d.student, kind: d.kind, state: d.state,
  timestamp: d.timestamp, attempts: d.attempts, next_attempt_at: d.nextAttemptAt, last_status: d.lastStatus, last_error: d.lastError,
});

function parsed<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: Array<{ path: PropertyKey[]; message: string }> } } }, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new HttpError(400, 'E_BAD_INPUT', `${issue.path.map(String).join('.') || 'the body'}: ${issue.message}`);
  }
  return result.data;
}

export function ltiOperatorRoutes(store: Store, operatorToken: string): Router {
  const router = Router();
  const auth = operatorAuth(operatorToken);
  const body = express.json({ limit: '64kb' });
  serveRoute(router, ltiRoutes.platforms, auth, async (_req, res) => { res.json((await store.listLtiPlatforms()).map(platformView)); });
  serveRoute(router, ltiRoutes.addPlatform, auth, body, async (req, res) => {
    const p = parsed(platformRegistration, req.body);
    const platform = await store.addLtiPlatform({
      issuer: p.issuer, clientId: p.client_id, deploymentId: p.deployment_id, authUrl: p.auth_url, tokenUrl: p.token_url, jwksUrl: p.jwks_url,
    });
    res.status(201).json(platformView(platform));
  });
  serveRoute(router, ltiRoutes.linkContext, auth, body, async (req, res) => {
    const link = parsed(contextLink, req.body);
    const platform = await store.findLtiPlatform(link.issuer, link.client_id);
    if (!platform) throw new HttpError(404, 'E_LTI_UNKNOWN_PLATFORM', `no platform with the issuer ${link.issuer} is registered`);
    await store.linkLtiContext(platform.id, link.context_id, link.course);
    res.json({ issuer: platform.issuer, context_id: link.context_id, course: link.course });
  });
  serveRoute(router, ltiRoutes.passbacks, auth, async (req, res) => {
    res.json((await store.listLtiScoreDeliveries(String(req.params.course), 1000)).map(passbackView));
  });
  return router;
}
