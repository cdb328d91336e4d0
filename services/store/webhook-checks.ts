// Checks of what the webhook operations are given, before anything is written, the same for every
// backend; and how an attempt's outcome moves its delivery.
import { UserError } from '../common/errors.js';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '../protocol/webhook-events.js';
import { inboundWebhookId } from '../protocol/webhook-ids.js';
import { checkCount, checkText, quote } from './input-checks.js';
import type { InboundReceipt, WebhookAttemptInput, WebhookAttemptOutcome, WebhookDeliveryState } from './webhook-store.js';

/** An attempt's error and an endpoint's disabled reason are cut to this many characters. */
export const MAX_ERROR_CHARS = 500;
/** A payload's longest text kept (the sender makes them under 20 kB). */
const MAX_PAYLOAD_CHARS = 1024 * 1024;
const OUTCOMES: readonly WebhookAttemptOutcome[] = ['delivered', 'retry', 'failed', 'disabled'];

/** An http(s) URL (whether its address may be used is the caller's check, before it comes here). */
export function checkUrl(url: unknown): string {
  const text = checkText('webhook URL', url, 2048);
  if (!/^https?:\/\//i.test(text)) throw new UserError('E_BAD_INPUT', `webhook URL ${quote(text)} is not an http:// or https:// URL`);
  return text;
}

/** Null (every type) or a list of known types, each once, as the column keeps it (JSON). */
export function eventTypesText(types: unknown): string | null {
  if (types === null || types === undefined) return null;
  const known = (t: unknown): t is WebhookEventType => WEBHOOK_EVENT_TYPES.includes(t as WebhookEventType);
  if (!Array.isArray(types) || types.length === 0 || !types.every(known)) {
    throw new UserError('E_BAD_INPUT', `webhook event types ${quote(JSON.stringify(types))} are not a list of ${WEBHOOK_EVENT_TYPES.join(', ')}`);
  }
  return JSON.stringify([...new Set(types)]);
}

export function descriptionText(description: unknown): string | null {
  return description === null || description === undefined ? null : checkText('webhook description', description, 200);
}

export function checkPayload(payload: unknown): string {
  if (typeof payload !== 'string' || payload.length > MAX_PAYLOAD_CHARS) throw new UserError('E_BAD_INPUT', `a webhook payload must be JSON text of at most ${MAX_PAYLOAD_CHARS} characters`);
  return payload;
}

export function checkAttempt(input: WebhookAttemptInput): void {
  if (typeof input !== 'object' || input === null || !OUTCOMES.includes(input.outcome)) {
    throw new UserError('E_BAD_INPUT', `a webhook attempt needs an outcome: ${OUTCOMES.join(', ')}`);
  }
  if (input.status !== null) checkCount('HTTP status', input.status, 0);
  checkCount('latency', input.latencyMs, 0);
}

/** The delivery's state after an attempt with this outcome. */
export function stateAfter(outcome: WebhookAttemptOutcome): WebhookDeliveryState {
  if (outcome === 'delivered') return 'delivered';
  return outcome === 'retry' ? 'pending' : 'failed';
}

export function checkReceipt(receipt: InboundReceipt): InboundReceipt {
  if (typeof receipt !== 'object' || receipt === null || !inboundWebhookId.safeParse(receipt.webhookId).success) {
    throw new UserError('E_BAD_INPUT', `webhook id ${quote(receipt?.webhookId)} is not 1 to 200 visible ASCII characters without "." or ","`);
  }
  return receipt;
}
