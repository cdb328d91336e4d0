// Webhooks in the API process: the address guard, the endpoint registry the routes use, the relay
// from the store to the queue and the worker that delivers; close() stops them.
import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

import { connectRedis } from '../queue/redis-connection.js';
import type { Store } from '../store/store.js';
import { AddressGuard } from './address-guard.js';
import type { WebhookAttemptMetrics } from './delivery-attempt.js';
import { startDeliveryWorker } from './delivery-worker.js';
import { EndpointRegistry } from './endpoint-registry.js';
import type { WebhookSettings } from './webhook-settings.js';
import { WebhookQueue, type DeliveryJob } from './webhook-queue.js';
import { WebhookRelay, type PayloadBuilder } from './webhook-relay.js';

export interface WebhookServiceOptions {
  store: Store;
  /** For the worker's own connection (it blocks on Redis, and waits for it when it is away). */
  redisUrl: string;
  /** The API's connection (fail fast), for the relay's enqueues. */
  apiRedis: Redis;
  /** The queues' Redis key prefix. */
  prefix: string;
  settings: WebhookSettings;
  buildPayload: PayloadBuilder;
  logger: Logger;
  /** Counts each attempt's outcome (the API's /metrics). */
  metrics: WebhookAttemptMetrics;
}

export interface WebhookService {
  guard: AddressGuard;
  registry: EndpointRegistry;
  settings: WebhookSettings;
  /** Starts relaying and delivering (the API calls it once it listens: payload links need its address). */
  start(): void;
  close(): Promise<void>;
}

/** How long closing waits for BullMQ when Redis is away, ms. */
const CLOSE_WITHOUT_REDIS_MS = 1000;

/** Waits for `promise` to settle (either way), but no longer than `ms`. */
async function settledWithin(promise: Promise<unknown> | undefined, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise?.catch(() => {}), new Promise((resolve) => { timer = setTimeout(resolve, ms); })]);
  clearTimeout(timer);
}

/** The registry at once; the relay and the worker from start() on. */
export function webhookService(options: WebhookServiceOptions): WebhookService {
  const { store, settings, logger } = options;
  const guard = new AddressGuard(settings.allowNetworks, settings.dnsServers);
  const queue = new WebhookQueue(options.apiRedis, options.prefix, settings.retryScheduleMs);
  const relay = new WebhookRelay(store, queue, options.buildPayload, logger, { intervalMs: settings.relayIntervalMs });
  let worker: Worker<DeliveryJob> | null = null;
  let workerRedis: Redis | null = null;
  return {
    guard,
    registry: new EndpointRegistry(store, guard, settings.rotationGraceMs),
    settings,
    start() {
      workerRedis = connectRedis(options.redisUrl, { profile: 'worker', name: 'gradebox-webhooks' });
      worker = startDeliveryWorker({ store, guard, settings, logger, metrics: options.metrics }, workerRedis, options.prefix);
      relay.start();
    },
    async close() {
      await relay.stop();
      // An attempt in flight may finish (it takes at most the timeout) while Redis answers. With
      // Redis away BullMQ's close would wait for it forever: it is forced (no wait for jobs; a job
      // cut short is taken again once its lock expires), given a second, then the connections are cut.
      const redisUp = workerRedis?.status === 'ready' && options.apiRedis.status === 'ready';
      await settledWithin(worker?.close(!redisUp), redisUp ? settings.timeoutMs + 1000 : CLOSE_WITHOUT_REDIS_MS);
      // The worker's own connections (its blocking one is a copy of ours) would retry forever.
      await settledWithin(worker?.disconnect(), CLOSE_WITHOUT_REDIS_MS);
      await settledWithin(queue.close(), CLOSE_WITHOUT_REDIS_MS);
      workerRedis?.disconnect();
    },
  };
}
