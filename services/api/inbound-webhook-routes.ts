// POST /v1/webhooks/inbound/{integration}: an LMS or portal creates a submission or asks for a
// regrade by signed webhook (Standard Webhooks). The raw body is verified before anything in it is
// read; its webhook-id is the idempotency key; it is held to its course's upload limits.
import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import type { z } from 'zod';

import { resolveUploadLimits, type UploadLimits } from '../intake/upload-limits.js';
import { apiRoutes } from '../protocol/api-routes.js';
import type { accepted } from '../protocol/api-schemas.js';
import type { Store } from '../store/store.js';
import { actOnInbound } from '../webhooks/inbound-actions.js';
import { verifyInbound, type VerifiedInbound } from '../webhooks/inbound-verifier.js';
import { requestIdOf, requestLog } from './request-id.js';
import { serveRoute } from './serve-route.js';

export interface InboundWebhookRoutesOptions {
  store: Store;
  /** How far a webhook's timestamp may be from the clock, ms. */
  toleranceMs: number;
  uploadLimits?: Partial<UploadLimits>;
  /** Counts what each integration sends against the uploads limit (the upload route's limiter). */
  uploads: RequestHandler;
  /** Called when something was queued (the grading outbox relay's kick). */
  queued: () => void;
}

const verifiedOf = (res: Response): VerifiedInbound => (res.locals as { inbound: VerifiedInbound }).inbound;

export function inboundWebhookRoutes(options: InboundWebhookRoutesOptions): Router {
  const { store } = options;
  const router = Router();
  const raw = express.raw({ type: () => true, limit: resolveUploadLimits(options.uploadLimits).maxBodyBytes });
  const verify = async (req: Request, res: Response, next: () => void): Promise<void> => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const headers = { 'webhook-id': req.get('webhook-id'), 'webhook-timestamp': req.get('webhook-timestamp'), 'webhook-signature': req.get('webhook-signature') };
    const inbound = await verifyInbound(store, String(req.params.integration), headers, body, options.toleranceMs);
    // The rate limits count per key: an integration is its own.
    Object.assign(res.locals, { inbound, keyId: inbound.integration.id, courseId: inbound.integration.courseId });
    next();
  };
  serveRoute(router, apiRoutes.inboundWebhook, raw, verify, options.uploads, async (_req, res) => {
    const verified = verifiedOf(res);
    const { submission, created } = await actOnInbound(store, verified, requestIdOf(res), options.uploadLimits);
    requestLog(res).info({ submission: submission.id, integration: verified.integration.id, action: verified.payload.type, replayed: !created }, 'inbound webhook accepted');
    if (created) options.queued();
    else res.set('Idempotent-Replayed', 'true');
    res.status(202).json({ id: submission.id, status: submission.status } satisfies z.infer<typeof accepted>);
  });
  return router;
}
