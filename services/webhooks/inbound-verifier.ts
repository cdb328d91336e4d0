// Who sent an inbound webhook and whether to believe it: the integration its URL names, the
// Standard Webhooks signature by that integration's secret (within the clock tolerance, compared
// in constant time), then the payload against its schema. Nothing is read from the body before
// the signature holds.
import { firstIssue } from '../protocol/first-issue.js';
import { inboundWebhookId } from '../protocol/webhook-ids.js';
import { inboundPayload, type InboundPayload } from '../protocol/webhook-schemas.js';
import type { Store } from '../store/store.js';
import type { InboundIntegration } from '../store/webhook-store.js';
import { signatureProblem, type SignedHeaders } from './signature.js';
import { WebhookRefusal } from './webhook-refusal.js';

export interface VerifiedInbound {
  integration: InboundIntegration;
  /** Its `webhook-id`: what it asks is done once per integration and id. */
  webhookId: string;
  payload: InboundPayload;
}

const SIGNED = 'sign it as Standard Webhooks ask: webhook-id, webhook-timestamp (Unix seconds) and webhook-signature (v1,<base64 HMAC-SHA256 of id.timestamp.body> with the integration\'s whsec_ secret)';

function parseBody(body: Buffer): InboundPayload {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new WebhookRefusal(400, 'E_BAD_REQUEST', 'the webhook body is not JSON; send {"type": ..., "data": ...} as application/json');
  }
  const parsed = inboundPayload.safeParse(json);
  if (!parsed.success) throw new WebhookRefusal(400, 'E_BAD_REQUEST', `the webhook payload is invalid (${firstIssue(parsed.error)}); see the inbound webhook in /openapi.json`);
  return parsed.data;
}

export async function verifyInbound(store: Store, integrationId: string, headers: Partial<SignedHeaders>, body: Buffer, toleranceMs: number): Promise<VerifiedInbound> {
  if (!headers['webhook-id'] || !headers['webhook-timestamp'] || !headers['webhook-signature']) {
    throw new WebhookRefusal(401, 'E_WEBHOOK_SIGNATURE', `the webhook is not signed; ${SIGNED}`);
  }
  if (!inboundWebhookId.safeParse(headers['webhook-id']).success) {
    throw new WebhookRefusal(400, 'E_BAD_WEBHOOK_ID', 'webhook-id must be 1 to 200 visible ASCII characters without "." or ","');
  }
  const integration = await store.findInboundIntegration(integrationId);
  if (!integration) throw new WebhookRefusal(404, 'E_NOT_FOUND', `no inbound integration ${integrationId}: check the URL (gradebox webhooks inbound list --course C)`);
  const problem = signatureProblem([integration.secret], headers, body, toleranceMs);
  if (problem) throw new WebhookRefusal(401, 'E_WEBHOOK_SIGNATURE', `the webhook's signature does not hold (${problem}); ${SIGNED}, with a clock within ${Math.round(toleranceMs / 1000)} s of ours`);
  const { secret: _secret, ...known } = integration;
  return { integration: known, webhookId: headers['webhook-id'], payload: parseBody(body) };
}
