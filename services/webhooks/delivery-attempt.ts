// One attempt at a delivery: sign the message's body for this attempt, check the endpoint's
// address again, send, and judge the answer by the Standard Webhooks rules (2xx delivered; 410
// disables the endpoint; a redirect is a failure, not followed; 429 and 5xx may say when to come
// back); then log the attempt. An endpoint failing for longer than the settings allow is disabled,
// and operators are told.
import type { Logger } from 'pino';

import { formatDuration } from '../common/durations.js';
import { InternalError } from '../common/errors.js';
import type { Store } from '../store/store.js';
import type { WebhookAttemptInput, WebhookAttemptOutcome, WebhookDeliveryToSend } from '../store/webhook-store.js';
import type { AddressGuard } from './address-guard.js';
import { parseEndpointUrl } from './endpoint-url.js';
import { retryAfterMs, retryDelayMs } from './retry-schedule.js';
import { signedHeaders } from './signature.js';
import type { WebhookSettings } from './webhook-settings.js';
import { postWebhook } from './webhook-request.js';

/** Told how each attempt ended (the API's metrics: the delivery worker runs in the API process, which serves /metrics). */
export interface WebhookAttemptMetrics {
  /** `seconds` (the attempt's latency) null: nothing was sent (the endpoint was disabled before). */
  webhookAttempt(outcome: WebhookAttemptOutcome, seconds: number | null): void;
}

export interface AttemptContext {
  store: Store;
  guard: AddressGuard;
  settings: WebhookSettings;
  logger: Logger;
  metrics: WebhookAttemptMetrics;
}

/** What the queue does next with the delivery: nothing, or try again after a delay. */
export type AttemptResult = { retryInMs: number } | null;

/** What came of sending: an answer's status (and its headers that matter), or why none came. */
type Sent = { status: number; retryAfter?: string; location?: string; error?: undefined } | { status: null; error: string };

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`${what} took more than ${ms} ms`)), ms); });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function send(delivery: WebhookDeliveryToSend, body: Buffer, guard: AddressGuard, timeoutMs: number): Promise<Sent> {
  const url = parseEndpointUrl(delivery.endpoint.url);
  const startedMs = Date.now();
  try {
    const address = await withTimeout(guard.check(url.hostname), timeoutMs, 'resolving the host');
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'gradebox-webhooks',
      ...signedHeaders(delivery.signingSecrets, delivery.message.id, Math.floor(Date.now() / 1000), body),
    };
    const answer = await postWebhook(url, address, headers, body, Math.max(1, timeoutMs - (Date.now() - startedMs)));
    return { status: answer.status, retryAfter: answer.retryAfter, location: answer.location };
  } catch (error) {
    return { status: null, error: (error as Error).message };
  }
}

/** Why an answer is a failure, for the delivery log. */
function failureOf(sent: Sent): string {
  if (sent.status === null) return sent.error;
  if (sent.status >= 300 && sent.status < 400) {
    return `answered ${sent.status}, a redirect${sent.location ? ` to ${sent.location}` : ''}, which is not followed: register the URL it points to`;
  }
  return `answered ${sent.status}`;
}

/** How the attempt ended, by its answer, the schedule and how long the endpoint has been failing. */
function judge(sent: Sent, delivery: WebhookDeliveryToSend, attempt: number, settings: WebhookSettings, nowMs: number): Omit<WebhookAttemptInput, 'startedAt' | 'latencyMs'> {
  const { status } = sent;
  if (status !== null && status >= 200 && status < 300) return { status, error: null, outcome: 'delivered' };
  if (status === 410) return { status, error: 'answered 410 Gone', outcome: 'disabled', disableEndpoint: 'it answered 410 Gone: it wants no more webhooks' };
  const error = failureOf(sent);
  const since = delivery.endpoint.failingSince;
  if (since !== null && nowMs - Date.parse(since) >= settings.disableAfterMs) {
    const reason = `every attempt since ${since} failed (more than ${formatDuration(settings.disableAfterMs)} without a delivery); the last one ${error}`;
    return { status, error, outcome: 'disabled', disableEndpoint: reason };
  }
  const askedMs = status === 429 || (status !== null && status >= 500) ? retryAfterMs(sent.retryAfter) : null;
  const delay = retryDelayMs(settings.retryScheduleMs, attempt, askedMs);
  if (delay === null) return { status, error, outcome: 'failed' };
  return { status, error, outcome: 'retry', nextAttemptAt: new Date(nowMs + delay).toISOString() };
}

/**
 * Makes attempt number `attempt` (1 for the first of this round) of the delivery, unless it is no
 * longer pending in `round`. Returns when to try again, or null when the delivery is over.
 */
export async function attemptDelivery(context: AttemptContext, deliveryId: number, round: number, attempt: number): Promise<AttemptResult> {
  const { store, logger } = context;
  const delivery = await store.webhookDeliveryToSend(deliveryId);
  if (!delivery || delivery.round !== round || delivery.state !== 'pending') return null;
  const startedAt = new Date().toISOString();
  if (delivery.endpoint.disabledAt !== null) {
    const error = `not sent: the endpoint is disabled (${delivery.endpoint.disabledReason ?? 'no reason kept'})`;
    if (await store.recordWebhookAttempt(deliveryId, round, { startedAt, status: null, latencyMs: 0, error, outcome: 'failed' })) {
      context.metrics.webhookAttempt('failed', null);
    }
    return null;
  }
  if (delivery.message.payload === null) throw new InternalError('E_WEBHOOK_PAYLOAD', `webhook message ${delivery.message.id} was queued without its payload`);
  const sent = await send(delivery, Buffer.from(delivery.message.payload), context.guard, context.settings.timeoutMs);
  const latencyMs = Date.now() - Date.parse(startedAt);
  const judged = judge(sent, delivery, attempt, context.settings, Date.now());
  const recorded = await store.recordWebhookAttempt(deliveryId, round, { startedAt, latencyMs, ...judged });
  // Counted once: an attempt another round overtook is not recorded, so not counted either.
  if (recorded) context.metrics.webhookAttempt(judged.outcome, latencyMs / 1000);
  const log = { endpoint: delivery.endpoint.id, course: delivery.endpoint.courseId, message: delivery.message.id, type: delivery.message.type, attempt, status: sent.status };
  if (judged.disableEndpoint && recorded) {
    logger.error({ ...log, event: 'webhook.endpoint_disabled', url: delivery.endpoint.url, reason: judged.disableEndpoint }, 'webhook endpoint disabled');
  } else if (judged.outcome !== 'delivered') {
    logger.info({ ...log, outcome: judged.outcome, error: judged.error }, 'webhook attempt failed');
  }
  return recorded && judged.outcome === 'retry' ? { retryInMs: Date.parse(judged.nextAttemptAt!) - Date.now() } : null;
}
