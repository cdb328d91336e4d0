// The HTTP API as one express app: the portal's routes, the staff API and the dashboard's sign-in,
// the workers' routes, the operators' (metrics, a submission's whole record), health and the
// OpenAPI document. Everything it needs is given; it starts nothing itself.
import express, { type Express } from 'express';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

import type { UploadLimits } from '../intake/upload-limits.js';
import type { LtiService } from '../lti/lti-service.js';
import { apiRoutes } from '../protocol/api-routes.js';
import type { SessionTimes, Store } from '../store/store.js';
import type { WebhookService } from '../webhooks/webhook-service.js';
import type { ApiLimits } from './api-limits.js';
import { assignmentRoutes } from './assignment-routes.js';
import { errorHandler, sendError } from './http-errors.js';
import { csrfGuard, identify } from './identify.js';
import { inboundWebhookRoutes } from './inbound-webhook-routes.js';
import { internalRoutes } from './internal-routes.js';
import { ltiOperatorRoutes } from './lti-operator-routes.js';
import { ltiRoutes, ltiUploader } from './lti-routes.js';
import type { ApiMetrics } from './metrics.js';
import { openApiDocument } from './openapi.js';
import { operatorRoutes } from './operator-routes.js';
import type { OutboxRelay } from './outbox-relay.js';
import { rateLimit } from './rate-limits.js';
import { requestIds } from './request-id.js';
import { resultIngester } from './result-ingest.js';
import { serveRoute } from './serve-route.js';
import { staffApi } from './staff/staff-api.js';
import { staffAuditor } from './staff-auditor.js';
import { submissionRoutes } from './submission-routes.js';
import { dashboardPages, homePage } from './web/dashboard-routes.js';
import { SignInLimits } from './web/signin-limits.js';
import { signInRoutes } from './web/signin-routes.js';
import { webhookRoutes } from './webhook-routes.js';

export interface ApiDependencies {
  store: Store;
  /** The API's Redis connection (fail-fast profile), for readiness. */
  redis: Redis;
  relay: OutboxRelay;
  metrics: ApiMetrics;
  logger: Logger;
  workerToken: string;
  /** For /metrics and the operator routes. */
  operatorToken: string;
  stagingDir: string;
  uploadLimits?: Partial<UploadLimits>;
  limits: ApiLimits;
  /** The queue's Redis key prefix; the rate limits' keys share it. */
  redisPrefix: string;
  /** LTI 1.3: the tool's keys, the platforms' keys, service tokens. */
  lti: LtiService;
  /** How long a signed-in session lasts, and how long it may stay unused. */
  sessionTimes: SessionTimes;
  /** Failed sign-ins one email may have in 15 minutes. */
  signInFailures: number;
  /** The grading queue's jobs by state (for the queue page). */
  jobCounts: () => Promise<Record<string, number>>;
  /** Outbound webhooks (the endpoint registry) and the settings inbound ones are verified with. */
  webhooks: WebhookService;
}

export function createApiApp(deps: ApiDependencies): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(requestIds(deps.logger));

  serveRoute(app, apiRoutes.health, (_req, res) => { res.json({ status: 'ok' }); });
  // Anyone may ask: it names what does not answer; why (a path, an address) goes to the log.
  serveRoute(app, apiRoutes.ready, async (_req, res) => {
    const problems: string[] = [];
    const check = (part: string, probe: Promise<unknown>) => probe.catch((e: unknown) => {
      problems.push(part);
      deps.logger.warn({ err: e, part }, 'not ready');
    });
    await check('store', deps.store.ping());
    await check('redis', deps.redis.ping());
    if (problems.length > 0) return sendError(res, 503, 'E_NOT_READY', `not answering: ${problems.join(', ')} (the log says why)`);
    res.json({ status: 'ready' });
  });
  serveRoute(app, apiRoutes.openapi, (_req, res) => { res.json(openApiDocument); });

  app.use(operatorRoutes({ store: deps.store, metrics: deps.metrics, operatorToken: deps.operatorToken }));
  app.use(ltiOperatorRoutes(deps.store, deps.operatorToken));
  app.use(ltiRoutes({
    store: deps.store, lti: deps.lti, relay: deps.relay, stagingDir: deps.stagingDir, uploadLimits: deps.uploadLimits, logger: deps.logger.child({ part: 'lti' }),
    sessionTimes: deps.sessionTimes,
    // A learner's uploads count as the portal's do, per caller: here the learner (their launch's platform and sub).
    uploads: rateLimit({ redis: deps.redis, keyPrefix: `${deps.redisPrefix}:rate:uploads`, perMinute: deps.limits.uploadsPerMinute, what: 'uploads',
      counted: ltiUploader, who: 'a learner' }),
  }));
  const audit = staffAuditor(deps.store, deps.logger.child({ part: 'staff-audit' }));
  // Signed by an integration's secret, not sent by a key or a session: verified by its own route.
  app.use(inboundWebhookRoutes({
    store: deps.store, toleranceMs: deps.webhooks.settings.toleranceMs, uploadLimits: deps.uploadLimits, queued: () => deps.relay.kick(),
    uploads: rateLimit({ redis: deps.redis, keyPrefix: `${deps.redisPrefix}:rate:uploads`, perMinute: deps.limits.uploadsPerMinute, what: 'uploads',
      counted: (res) => `inbound:${String(res.locals.keyId)}` }),
  }));
  // Every /v1 request says who sends it (a key, or a session); one that changes something with a session carries its CSRF token.
  app.use('/v1', identify(deps.store, deps.sessionTimes), csrfGuard());
  app.use(assignmentRoutes(deps.store, audit));
  app.use(submissionRoutes({
    store: deps.store, relay: deps.relay, stagingDir: deps.stagingDir, uploadLimits: deps.uploadLimits,
    limits: deps.limits, redis: deps.redis, redisPrefix: deps.redisPrefix,
  }));
  app.use(staffApi({
    store: deps.store, audit, relay: deps.relay, logger: deps.logger, stagingDir: deps.stagingDir, limits: deps.limits,
    redis: deps.redis, redisPrefix: deps.redisPrefix, jobCounts: deps.jobCounts,
  }));
  app.use(webhookRoutes(deps.store, deps.webhooks.registry));
  app.use(signInRoutes({
    store: deps.store, times: deps.sessionTimes, logger: deps.logger.child({ part: 'signin' }),
    limits: new SignInLimits(deps.redis, deps.redisPrefix, deps.signInFailures), home: homePage(deps.logger.child({ part: 'dashboard' })),
  }));
  app.use(dashboardPages({ store: deps.store, times: deps.sessionTimes, logger: deps.logger.child({ part: 'dashboard' }) }));
  const ingest = resultIngester(deps.store, deps.metrics, deps.logger.child({ part: 'results' }));
  app.use(internalRoutes({ store: deps.store, workerToken: deps.workerToken, ingest }));
  app.use((req, res) => sendError(res, 404, 'E_NO_ROUTE', `no route ${req.method} ${req.path}; see /openapi.json`));
  app.use(errorHandler(deps.logger));
  return app;
}
