// The API process: opens the store, connects to Redis, relays the outbox and serves HTTP (the
// portal's routes and the workers', results included). One call starts it all; close() stops it in the reverse order.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { Express } from 'express';
import type { Logger } from 'pino';

import { config } from '../common/config.js';
import { ltiService } from '../lti/lti-service.js';
import { ltiSettings, type LtiSettings } from '../lti/lti-settings.js';
import type { UploadLimits } from '../intake/upload-limits.js';
import { DEFAULT_PREFIX, GradingQueue } from '../queue/grading-queue.js';
import { jobKeyFromToken } from '../queue/job-signature.js';
import { connectRedis } from '../queue/redis-connection.js';
import { WorkerRoster } from '../queue/worker-roster.js';
import { openStore } from '../store/open-store.js';
import type { SessionTimes, Store } from '../store/store.js';
import { webhookService } from '../webhooks/webhook-service.js';
import { webhookSettings, type WebhookSettings } from '../webhooks/webhook-settings.js';
import type { ApiLimits } from './api-limits.js';
import { createApiApp } from './api-server.js';
import { ApiMetrics } from './metrics.js';
import { ltiScoreFacts } from './lti-score-facts.js';
import { ensureOperatorToken } from './operator-token.js';
import { OutboxRelay } from './outbox-relay.js';
import { webhookPayloadBuilder } from './webhook-payloads.js';

/** How long a shutdown waits for the queue to close before it cuts its connection, ms. */
const QUEUE_CLOSE_MS = 5000;

export interface ApiServiceOptions {
  /** Store (SQLite), blobs, staging and the workers' token live here. */
  dataDir: string;
  /** The store's PostgreSQL database (several API processes share it); unset: SQLite in `dataDir`. */
  databaseUrl?: string;
  /** The folder of big blobs, shared by the API processes. @defaultValue `<dataDir>/blobs` */
  blobDir?: string;
  redisUrl: string;
  /** @defaultValue 8080 */
  port?: number;
  /** @defaultValue `127.0.0.1` (put a TLS proxy in front to serve others) */
  host?: string;
  logger: Logger;
  /** BullMQ key prefix; tests give each their own. @defaultValue `gradebox` */
  queuePrefix?: string;
  uploadLimits?: Partial<UploadLimits>;
  /** @defaultValue the configuration's (services/common/config.ts) */
  limits?: Partial<ApiLimits>;
  /** For /metrics and the operator routes. @defaultValue GRADEBOX_OPERATOR_TOKEN, else the data folder's operator-token (made once) */
  operatorToken?: string;
  /** LTI's lifetimes, pace and retry schedule (tests shorten them). @defaultValue services/lti/lti-settings.ts */
  lti?: Partial<LtiSettings>;
  /** @defaultValue the configuration's (GRADEBOX_SESSION_HOURS, GRADEBOX_SESSION_IDLE_MINUTES) */
  sessionTimes?: SessionTimes;
  /** Failed sign-ins per email in 15 minutes. @defaultValue GRADEBOX_SIGNIN_FAILURES */
  signInFailures?: number;
  /** @defaultValue the configuration's (services/webhooks/webhook-settings.ts) */
  webhooks?: Partial<WebhookSettings>;
  /** The API as portals reach it, for links in webhook payloads. @defaultValue GRADEBOX_PUBLIC_URL, else `http://<host>:<port>` */
  publicUrl?: string;
}

export interface ApiService {
  port: number;
  store: Store;
  /** The express app it serves: what its router holds is what the API answers. */
  app: Express;
  /** Stops everything; false when Redis was away and the queue's connection had to be cut. */
  close(): Promise<boolean>;
}

/** The token workers present; made once per data folder, readable by its owner only. */
export function workerTokenFile(dataDir: string): string {
  return join(dataDir, 'worker-token');
}

export function ensureWorkerToken(dataDir: string): string {
  const file = workerTokenFile(dataDir);
  if (!existsSync(file)) writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  return readFileSync(file, 'utf8').trim();
}

const MINUTE_MS = 60_000;

function configuredSessions(): SessionTimes {
  const { sessionHours, sessionIdleMinutes } = config();
  return { lifetimeMs: sessionHours * 60 * MINUTE_MS, idleMs: sessionIdleMinutes * MINUTE_MS };
}

function configuredLimits(): ApiLimits {
  const { uploadsPerMinute, regradesPerMinute, streamsPerKey, streamMaxSeconds } = config();
  return { uploadsPerMinute, regradesPerMinute, streamsPerKey, streamMaxSeconds };
}

export async function startApiService(options: ApiServiceOptions): Promise<ApiService> {
  const { logger } = options;
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const store = await openStore({ dataDir: options.dataDir, databaseUrl: options.databaseUrl, blobDir: options.blobDir });
  const workerToken = ensureWorkerToken(options.dataDir);
  const operatorToken = ensureOperatorToken(options.dataDir, options.operatorToken ?? config().operatorToken);
  const redis = connectRedis(options.redisUrl, { profile: 'api', name: 'gradebox-api' });
  redis.on('error', () => {}); // readiness and the relay report it
  const prefix = options.queuePrefix ?? DEFAULT_PREFIX;
  const queue = new GradingQueue({ connection: redis, prefix, jobKey: jobKeyFromToken(workerToken) });
  const roster = new WorkerRoster(redis, prefix);
  const metrics = new ApiMetrics({
    jobCounts: () => queue.counts(), workerCount: () => queue.workerCount(),
    workerSlots: () => roster.slotTotals(), openSubmissions: () => store.countOpenSubmissionsByCourse(),
  });
  const relay = new OutboxRelay(store, queue, logger.child({ part: 'outbox' }), { metrics });
  relay.start();

  // Private once, here: each upload's own folder inside is made only when it needs the disk.
  const stagingDir = join(options.dataDir, 'staging');
  mkdirSync(stagingDir, { recursive: true, mode: 0o700 });
  chmodSync(stagingDir, 0o700);
  // The public URL is known once the server listens (port 0 in tests): the settings are filled then.
  const lti = ltiService(store, ltiSettings('http://unset.invalid', options.lti), ltiScoreFacts(store), logger.child({ part: 'lti' }), metrics.deliveryAttempts);
  // The payloads' links need the port, known once listening: the webhooks start then.
  let publicUrl = options.publicUrl ?? config().publicUrl;
  const webhooks = webhookService({
    store, redisUrl: options.redisUrl, apiRedis: redis, prefix, settings: webhookSettings(options.webhooks), logger: logger.child({ part: 'webhooks' }),
    buildPayload: (message) => webhookPayloadBuilder(store, publicUrl!)(message), metrics: metrics.deliveryAttempts,
  });
  const app = createApiApp({
    store, redis, relay, metrics, logger, workerToken, operatorToken, stagingDir, uploadLimits: options.uploadLimits,
    limits: { ...configuredLimits(), ...options.limits }, redisPrefix: prefix, webhooks, lti,
    sessionTimes: options.sessionTimes ?? configuredSessions(), signInFailures: options.signInFailures ?? config().signInFailures,
    jobCounts: () => queue.counts(),
  });
  const host = options.host ?? '127.0.0.1';
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(options.port ?? 8080, host, () => resolve(s));
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  publicUrl ??= `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  webhooks.start();
  lti.settings.publicUrl = options.lti?.publicUrl ?? publicUrl;
  lti.start();
  logger.info({ port }, 'API listening');
  return {
    port,
    store,
    app,
    async close() {
      await new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
      await relay.stop();
      await lti.close();
      await webhooks.close();
      // With Redis gone, closing the queue could wait for it forever: it gets a few seconds, then
      // the connection is cut (the outbox still holds whatever was not enqueued).
      const queueClosed = queue.close().then(() => true, () => true);
      const closedInTime = await Promise.race([queueClosed, delay(QUEUE_CLOSE_MS).then(() => false)]);
      if (!closedInTime) logger.warn({ ms: QUEUE_CLOSE_MS }, 'Redis did not let the queue close in time: connection cut');
      redis.disconnect();
      await store.close();
      return closedInTime;
    },
  };
}
