// The ids of webhooks that travel (in URLs, headers and payloads): a message's (the `webhook-id`
// header, the same on every attempt), an outbound endpoint's and an inbound integration's.
import { randomBytes } from 'node:crypto';

import { z } from 'zod';

// base64url: letters, digits, "-" and "_"; never a ".", which the signed content uses as its separator.
const random = (bytes: number): string => randomBytes(bytes).toString('base64url');

/** `msg_` and 16 random bytes: one event, sent to one or more endpoints; consumers deduplicate by it. */
export const webhookMessageId = z.string().regex(/^msg_[A-Za-z0-9_-]{22}$/, 'must be a message id: "msg_" and 22 letters, digits, "_" or "-"');
export const newWebhookMessageId = (): string => `msg_${random(16)}`;

/** `whe_` and 12 random bytes: an endpoint gradebox sends a course's events to. */
export const webhookEndpointId = z.string().regex(/^whe_[A-Za-z0-9_-]{16}$/, 'must be an endpoint id: "whe_" and 16 letters, digits, "_" or "-"');
export const newWebhookEndpointId = (): string => `whe_${random(12)}`;

/** `whi_` and 12 random bytes: an LMS or portal that sends gradebox signed webhooks (its URL names it). */
export const inboundIntegrationId = z.string().regex(/^whi_[A-Za-z0-9_-]{16}$/, 'must be an integration id: "whi_" and 16 letters, digits, "_" or "-"');
export const newInboundIntegrationId = (): string => `whi_${random(12)}`;

/**
 * An inbound webhook's `webhook-id`, chosen by its sender: visible ASCII without "." (the signed
 * content's separator) or ",", at most 200 characters. It is the idempotency key of what it asks.
 */
export const inboundWebhookId = z.string().regex(/^[\x21-\x2b\x2d\x2f-\x7e]{1,200}$/, 'must be 1 to 200 visible ASCII characters without "." or ","');
