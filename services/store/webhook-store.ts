// The store's part of webhooks: a course's endpoints and what is sent to them (messages written in
// the transaction of the event they report, one delivery per subscribed endpoint, each attempt
// logged), and inbound integrations. `Store` extends this.
import type { WebhookEventType } from '../protocol/webhook-events.js';

export interface WebhookEndpoint {
  /** `whe_…` */
  id: string;
  courseId: string;
  url: string;
  /** Null: every event type. */
  eventTypes: WebhookEventType[] | null;
  description: string | null;
  /** Null while enabled. */
  disabledAt: string | null;
  disabledReason: string | null;
  /** Its first failed attempt since the last delivered one. */
  failingSince: string | null;
  /** After a rotation: until when the previous secret signs too. */
  previousSecretExpiresAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface NewWebhookEndpoint {
  url: string;
  /** Absent or null: every type. */
  eventTypes?: WebhookEventType[] | null;
  description?: string | null;
}

/** A change to an endpoint; a field left out stays as it is. */
export interface WebhookEndpointChange {
  url?: string;
  eventTypes?: WebhookEventType[] | null;
  description?: string | null;
  /** true clears its disabled state (and its failing streak); false disables it, by its owner's wish. */
  enabled?: boolean;
}

export interface CreatedWebhookEndpoint {
  endpoint: WebhookEndpoint;
  /** `whsec_…`: shown once to its owner (the store keeps it to sign with). */
  secret: string;
}

/** An event to send: what it is about; its payload is made (and kept) when it is first relayed. */
export interface WebhookMessage {
  /** `msg_…`: the `webhook-id` of every attempt. */
  id: string;
  courseId: string;
  type: WebhookEventType;
  submissionId: string | null;
  gradeNumber: number | null;
  incidentId: number | null;
  /** The JSON body sent, once made; null before. */
  payload: string | null;
  /** When the event happened. */
  createdAt: string;
}

/** A delivery waiting to be handed to the queue. `round` counts its manual redeliveries (1 at first). */
export interface WebhookDeliveryToRelay {
  deliveryId: number;
  round: number;
  message: WebhookMessage;
}

export type WebhookDeliveryState = 'pending' | 'delivered' | 'failed';
export type WebhookAttemptOutcome = 'delivered' | 'retry' | 'failed' | 'disabled';

/** A delivery as its sender needs it: the message and the endpoint with what signs for it now. */
export interface WebhookDeliveryToSend {
  deliveryId: number;
  round: number;
  state: WebhookDeliveryState;
  message: WebhookMessage;
  endpoint: WebhookEndpoint;
  /** The current secret first, then the previous one while it has not expired. */
  signingSecrets: string[];
}

export interface WebhookAttemptInput {
  startedAt: string;
  /** Null when no answer came. */
  status: number | null;
  latencyMs: number;
  error: string | null;
  outcome: WebhookAttemptOutcome;
  /** For `retry`: when the next attempt is due. */
  nextAttemptAt?: string | null;
  /** Disables the endpoint with this reason (it answered 410, or failed for too long). */
  disableEndpoint?: string;
}

export interface WebhookAttempt {
  /** 1, 2, 3 … over every round of the delivery. */
  attempt: number;
  startedAt: string;
  status: number | null;
  latencyMs: number;
  error: string | null;
  outcome: WebhookAttemptOutcome;
}

/** A delivery in its endpoint's log. */
export interface WebhookDelivery {
  messageId: string;
  type: WebhookEventType;
  state: WebhookDeliveryState;
  nextAttemptAt: string | null;
  createdAt: string;
  updatedAt: string;
  attempts: WebhookAttempt[];
}

export interface InboundIntegration {
  /** `whi_…`: its URL is /v1/webhooks/inbound/<id>. */
  id: string;
  courseId: string;
  label: string | null;
  createdAt: string;
}

export interface CreatedInboundIntegration {
  integration: InboundIntegration;
  /** `whsec_…`: shown once; its sender signs with it. */
  secret: string;
}

/** Who sent an inbound webhook and its `webhook-id`: what it asks is done once per pair. */
export interface InboundReceipt {
  integrationId: string;
  webhookId: string;
}

export interface WebhookStore {
  createWebhookEndpoint(courseId: string, input: NewWebhookEndpoint): Promise<CreatedWebhookEndpoint>;
  listWebhookEndpoints(courseId: string): Promise<WebhookEndpoint[]>;
  getWebhookEndpoint(id: string): Promise<WebhookEndpoint | null>;
  changeWebhookEndpoint(id: string, change: WebhookEndpointChange): Promise<WebhookEndpoint>;
  /** A new secret; the old one keeps signing beside it for `graceMs`. */
  rotateWebhookSecret(id: string, graceMs: number): Promise<CreatedWebhookEndpoint>;
  /** Removes the endpoint with its deliveries and their log. */
  removeWebhookEndpoint(id: string): Promise<void>;

  /** Deliveries not yet handed to the queue, oldest first. */
  pendingWebhookDeliveries(limit: number): Promise<WebhookDeliveryToRelay[]>;
  /** Keeps the message's body (the first one given stays); returns the kept one. */
  setWebhookPayload(messageId: string, payload: string): Promise<string>;
  /** The queue has this round of the delivery (a stale round changes nothing). */
  markWebhookDeliveryRelayed(deliveryId: number, round: number): Promise<void>;

  /** A delivery with its message, endpoint and signing secrets; null when its endpoint was removed. */
  webhookDeliveryToSend(deliveryId: number): Promise<WebhookDeliveryToSend | null>;
  /**
   * Logs an attempt and moves the delivery by its outcome (and the endpoint: its failing streak, or
   * disabled). False when the delivery is no longer pending in that round: nothing is written.
   */
  recordWebhookAttempt(deliveryId: number, round: number, attempt: WebhookAttemptInput): Promise<boolean>;
  /** Newest first. */
  listWebhookDeliveries(endpointId: string, limit?: number): Promise<WebhookDelivery[]>;
  /** Sends the message to the endpoint again (a new round, same webhook-id). */
  redeliverWebhook(endpointId: string, messageId: string): Promise<WebhookDelivery>;

  createInboundIntegration(courseId: string, label?: string): Promise<CreatedInboundIntegration>;
  listInboundIntegrations(courseId: string): Promise<InboundIntegration[]>;
  /** With its secret, to verify what it sends; null when unknown. */
  findInboundIntegration(id: string): Promise<(InboundIntegration & { secret: string }) | null>;
  removeInboundIntegration(id: string): Promise<void>;
}
