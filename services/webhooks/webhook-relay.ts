// Hands the store's new webhook deliveries to the queue: the payload is made once per message
// (kept in the store, so every attempt and redelivery sends the same bytes), then the job is
// added, then the delivery is marked relayed. A Redis outage leaves the deliveries in the store
// until it ends; a crash in between relays a delivery again, which the queue ignores.
import type { Logger } from 'pino';

import { InternalError } from '../common/errors.js';
import { MAX_WEBHOOK_PAYLOAD_BYTES, type WebhookPayload } from '../protocol/webhook-events.js';
import type { Store } from '../store/store.js';
import type { WebhookMessage } from '../store/webhook-store.js';
import type { WebhookQueue } from './webhook-queue.js';

/** Makes a message's payload from the store's state now (the API decides what a student may see). */
export type PayloadBuilder = (message: WebhookMessage) => Promise<WebhookPayload>;

export interface WebhookRelayOptions {
  /** How often the store is looked at, ms. */
  intervalMs: number;
  /** Deliveries handled per round. @defaultValue 200 */
  batch?: number;
}

export class WebhookRelay {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private paused = false;

  constructor(
    private readonly store: Store,
    private readonly queue: WebhookQueue,
    private readonly buildPayload: PayloadBuilder,
    private readonly logger: Logger,
    private readonly options: WebhookRelayOptions,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.kick(), this.options.intervalMs);
    this.kick();
  }

  /** Relays now, unless a round is running (the next tick takes what it missed). */
  kick(): void {
    this.running ??= this.round().finally(() => { this.running = null; });
  }

  private async round(): Promise<void> {
    try {
      for (const { deliveryId, round, message } of await this.store.pendingWebhookDeliveries(this.options.batch ?? 200)) {
        if (message.payload === null && !(await this.keepPayload(message))) continue;
        await this.queue.enqueue({ deliveryId, round });
        await this.store.markWebhookDeliveryRelayed(deliveryId, round);
      }
      if (this.paused) this.logger.info('webhook relay resumed');
      this.paused = false;
    } catch (error) {
      // Redis away (or the store busy): the deliveries stay, the next round tries again. Said once per outage.
      if (!this.paused) this.logger.warn({ err: error }, 'webhook relay paused');
      this.paused = true;
    }
  }

  /** Makes and keeps the message's payload; false (logged) when it cannot be made. */
  private async keepPayload(message: WebhookMessage): Promise<boolean> {
    try {
      const body = JSON.stringify(await this.buildPayload(message));
      if (Buffer.byteLength(body) > MAX_WEBHOOK_PAYLOAD_BYTES) {
        throw new InternalError('E_WEBHOOK_PAYLOAD', `the ${message.type} payload of ${message.id} has ${Buffer.byteLength(body)} bytes, more than ${MAX_WEBHOOK_PAYLOAD_BYTES}`);
      }
      await this.store.setWebhookPayload(message.id, body);
      return true;
    } catch (error) {
      this.logger.error({ err: error, message: message.id, type: message.type }, 'cannot make a webhook payload');
      return false;
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
