// The HTTP API as one express app: the portal's routes, the workers' routes, health, metrics and
// the OpenAPI document. Everything it needs is given; it starts nothing itself.
import express, { type Express } from 'express';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

import type { Store } from '../store/store.js';
import { errorHandler, sendError } from './http-errors.js';
import { internalRoutes } from './internal-routes.js';
import type { ApiMetrics } from './metrics.js';
import { openApiDocument } from './openapi.js';
import type { OutboxRelay } from './outbox-relay.js';
import { resultIngester } from './result-ingest.js';
import { submissionRoutes } from './submission-routes.js';
import type { UploadLimits } from './upload/upload-limits.js';

export interface ApiDependencies {
  store: Store;
  /** The API's Redis connection (fail-fast profile), for readiness. */
  redis: Redis;
  relay: OutboxRelay;
  metrics: ApiMetrics;
  logger: Logger;
  workerToken: string;
  stagingDir: string;
  uploadLimits?: Partial<UploadLimits>;
}

export function createApiApp(deps: ApiDependencies): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);

  app.get('/healthz', (_req, res) => { res.json({ status: 'ok' }); });
  app.get('/readyz', async (_req, res) => {
    const problems: string[] = [];
    await deps.store.ping().catch((e: unknown) => problems.push(`store: ${(e as Error).message}`));
    await deps.redis.ping().catch((e: unknown) => problems.push(`redis: ${(e as Error).message}`));
    if (problems.length > 0) return sendError(res, 503, 'E_NOT_READY', problems.join('; '));
    res.json({ status: 'ready' });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  app.get('/openapi.json', (_req, res) => { res.json(openApiDocument); });

  app.use(submissionRoutes({ store: deps.store, relay: deps.relay, stagingDir: deps.stagingDir, uploadLimits: deps.uploadLimits }));
  const ingest = resultIngester(deps.store, deps.metrics, deps.logger.child({ part: 'results' }));
  app.use(internalRoutes({ store: deps.store, workerToken: deps.workerToken, ingest }));
  app.use((req, res) => sendError(res, 404, 'E_NO_ROUTE', `no route ${req.method} ${req.path}; see /openapi.json`));
  app.use(errorHandler(deps.logger));
  return app;
}
