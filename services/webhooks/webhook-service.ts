// Webhooks in the API process: the address guard, the endpoint registry the routes use, the relay
// from the store to the queue and the worker that delivers; close() stops them.
import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

import { connectRedis } from '../queue/redis-connection.js';
import type { Store } from '../store/store.js';
import { AddressGuard } from './address-guard.js';
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
}

export interface WebhookService {
  guard: AddressGuard;
  registry: EndpointRegistry;
  settings: WebhookSettings;
  /** Starts relaying and delivering (the API calls it once it listens: payload links need its address). */
  start(): void;
  close(): Promise<void>;
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
      worker = startDeliveryWorker({ store, guard, settings, logger }, workerRedis, options.prefix);
      relay.start();
    },
    async close() {
      await relay.stop();
      // An attempt in flight may finish (it takes at most the timeout); with Redis away, it is cut.
      let timer: NodeJS.Timeout | undefined;
      if (worker) await Promise.race([worker.close(), new Promise((resolve) => { timer = setTimeout(resolve, settings.timeoutMs + 1000); })]);
      clearTimeout(timer);
      await queue.close().catch(() => {});
      workerRedis?.disconnect();
    },
  };
}
