// The outcomes of the API's outbound deliveries, for /metrics: webhook attempts and LTI score
// passbacks. Both are made in the API process (services/webhooks/delivery-worker.ts,
// services/lti/passback-worker.ts), the one that serves /metrics, so they are counted where they
// are decided. Labels are fixed lists: no endpoint, course or delivery id is ever one.
import { Counter, Histogram, type Registry } from 'prom-client';

import type { ScoreAttemptMetrics } from '../lti/passback-attempt.js';
import type { LtiDeliveryState } from '../store/lti-store.js';
import type { WebhookAttemptOutcome } from '../store/webhook-store.js';
import type { WebhookAttemptMetrics } from '../webhooks/delivery-attempt.js';

const WEBHOOK_OUTCOMES: readonly WebhookAttemptOutcome[] = ['delivered', 'retry', 'failed', 'disabled'];

/** An LTI attempt's outcome as a label: a delivery left pending is one to retry, as for webhooks. */
const LTI_OUTCOMES: Record<LtiDeliveryState, string> = { delivered: 'delivered', pending: 'retry', failed: 'failed', superseded: 'superseded' };

export class DeliveryMetrics implements WebhookAttemptMetrics, ScoreAttemptMetrics {
  private readonly webhooks: Counter<'outcome'>;
  private readonly scores: Counter<'outcome'>;
  private readonly seconds: Histogram<'channel'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.webhooks = new Counter({
      name: 'gradebox_webhook_deliveries_total', labelNames: ['outcome'], registers,
      help: 'Webhook delivery attempts, by outcome (retry: failed, another attempt is due; failed: given up, or not sent to a disabled endpoint; disabled: the attempt disabled its endpoint)',
    });
    this.scores = new Counter({
      name: 'gradebox_lti_score_deliveries_total', labelNames: ['outcome'], registers,
      help: 'LTI score passback attempts, by outcome (retry: failed, another attempt is due; failed: given up; superseded: a later score won)',
    });
    this.seconds = new Histogram({
      name: 'gradebox_delivery_duration_seconds', help: 'Time one delivery attempt took (the request to the endpoint, or to the platform for LTI), by channel', labelNames: ['channel'], registers,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    });
    // Present from the start, for rate() and the alerts.
    for (const outcome of WEBHOOK_OUTCOMES) this.webhooks.inc({ outcome }, 0);
    for (const outcome of new Set(Object.values(LTI_OUTCOMES))) this.scores.inc({ outcome }, 0);
  }

  webhookAttempt(outcome: WebhookAttemptOutcome, seconds: number | null): void {
    this.webhooks.inc({ outcome });
    if (seconds !== null) this.seconds.observe({ channel: 'webhook' }, seconds);
  }

  ltiScoreAttempt(state: LtiDeliveryState, seconds: number): void {
    this.scores.inc({ outcome: LTI_OUTCOMES[state] });
    this.seconds.observe({ channel: 'lti' }, seconds);
  }
}
