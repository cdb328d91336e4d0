// What the webhook routes take and answer: a course's endpoints (outbound), their delivery log, its
// inbound integrations, and the payload an LMS or portal signs to create a submission or ask for a
// regrade. The routes check their input with these; the OpenAPI document is made from them.
import { z } from 'zod';

import { studentName } from './api-schemas.js';
import { assignmentName, submissionId } from './ids.js';
import { webhookEventType } from './webhook-events.js';
import { inboundIntegrationId, webhookEndpointId, webhookMessageId } from './webhook-ids.js';

const time = z.iso.datetime();

export const webhookSecret = z.string().regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/)
  .describe('The signing secret (whsec_ and base64), shown once: verify each delivery with it (Standard Webhooks)');

export const endpointView = z.object({
  id: webhookEndpointId,
  url: z.string(),
  events: z.array(webhookEventType).nullable().describe('The event types sent to it; null: every type, also ones added later'),
  description: z.string().nullable(),
  enabled: z.boolean(),
  disabled_at: time.nullable(),
  disabled_reason: z.string().nullable().describe('Why gradebox stopped sending to it (it answered 410 Gone, or failed for days); re-enable it with PATCH'),
  failing_since: time.nullable().describe('Its first failed attempt since the last delivered one'),
  previous_secret_expires_at: time.nullable().describe('After a rotation, until when the old secret still signs beside the new one'),
  created_at: time,
  updated_at: time,
});

export const endpointCreated = endpointView.extend({ secret: webhookSecret });

export const endpointList = z.object({ endpoints: z.array(endpointView) });

export const endpointCreate = z.strictObject({
  url: z.string().max(2048).describe('http:// or https://; its host must not resolve to a private, loopback or link-local address unless the operator allows that network'),
  events: z.array(webhookEventType).min(1).optional().describe('Default: every type'),
  description: z.string().max(200).optional(),
});

/** The route also refuses a change that changes nothing (the minProperties below). */
export const endpointChange = z.strictObject({
  url: z.string().max(2048).optional(),
  events: z.array(webhookEventType).min(1).nullable().optional().describe('null: every type'),
  description: z.string().max(200).nullable().optional(),
  enabled: z.boolean().optional().describe('true sends to it again (and clears why it was disabled); false stops sending'),
}).meta({ minProperties: 1 });

export const secretRotated = z.object({
  secret: webhookSecret,
  previous_secret_expires_at: time.describe('Until then deliveries carry a signature by each secret (two v1 entries)'),
});

export const attemptView = z.object({
  attempt: z.int().min(1),
  at: time,
  status: z.int().nullable().describe('The HTTP status answered; null when none came (refused, timed out, address not allowed)'),
  latency_ms: z.int().min(0),
  error: z.string().nullable(),
  outcome: z.enum(['delivered', 'retry', 'failed', 'disabled']),
});

export const deliveryView = z.object({
  message_id: webhookMessageId.describe('The webhook-id header of every attempt'),
  type: webhookEventType,
  state: z.enum(['pending', 'delivered', 'failed']),
  next_attempt_at: time.nullable(),
  created_at: time,
  updated_at: time,
  attempts: z.array(attemptView).describe('Oldest first'),
});

export const deliveryList = z.object({ deliveries: z.array(deliveryView).describe('Newest first') });

export const deliveryLimit = z.coerce.number().int().min(1).max(200).describe('How many deliveries, newest first (default 50)');

export const integrationView = z.object({
  id: inboundIntegrationId,
  label: z.string().nullable(),
  path: z.string().describe('Where it sends its webhooks: POST this path of the API'),
  created_at: time,
});

export const integrationCreated = integrationView.extend({ secret: webhookSecret });

export const integrationList = z.object({ integrations: z.array(integrationView) });

export const integrationCreate = z.strictObject({ label: z.string().max(200).optional() });

/** One file of an inbound submission: its relative path and its bytes in base64. */
const inboundFile = z.strictObject({
  path: z.string().min(1).max(1024),
  content_base64: z.string().describe('The file\'s bytes, base64 (the body as a whole is capped like an upload)'),
});

/** What an LMS or portal may ask by signed webhook (POST /v1/webhooks/inbound/{integration}). */
export const inboundPayload = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('submission.create'),
    timestamp: time.optional(),
    data: z.strictObject({ assignment: assignmentName, student: studentName, files: z.array(inboundFile).min(1).max(1000) }),
  }),
  z.strictObject({
    type: z.literal('submission.regrade'),
    timestamp: time.optional(),
    data: z.strictObject({ submission: submissionId }),
  }),
]).describe('Standard Webhooks: signed with the integration\'s secret; its webhook-id is the idempotency key (the same id again creates nothing)');

export type InboundPayload = z.infer<typeof inboundPayload>;

/** The headers of a Standard Webhooks request (gradebox's to an endpoint, or an integration's to gradebox). */
export const webhookHeaders = {
  'webhook-id': z.string().describe('The message\'s id: the same on every attempt and redelivery, so the receiver acts on it once'),
  'webhook-timestamp': z.string().describe('Unix seconds of this attempt; gradebox refuses one more than 5 minutes from its clock'),
  'webhook-signature': z.string().describe('v1,<base64 HMAC-SHA256 of id.timestamp.body>; several entries separated by spaces (during a secret rotation)'),
};

/** The webhook schemas the OpenAPI document names (components.schemas), beside api-schemas.ts's namedSchemas. */
export const webhookNamedSchemas: Record<string, z.ZodType> = {
  WebhookEndpoint: endpointView,
  WebhookEndpointCreated: endpointCreated,
  WebhookEndpointCreate: endpointCreate,
  WebhookEndpointChange: endpointChange,
  WebhookDelivery: deliveryView,
  InboundIntegration: integrationView,
  InboundIntegrationCreated: integrationCreated,
  InboundWebhook: inboundPayload,
};
