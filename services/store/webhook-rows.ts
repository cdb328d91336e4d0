// The webhook tables' rows as every backend reads them (times as ISO-8601 text, JSON columns as
// their text, ids and counts as numbers), and the store's objects made from them.
import type { WebhookEventType } from '../protocol/webhook-events.js';
import type {
  InboundIntegration, WebhookAttempt, WebhookAttemptOutcome, WebhookDeliveryState, WebhookEndpoint, WebhookMessage,
} from './webhook-store.js';

export interface EndpointRow {
  id: string;
  course_id: string;
  url: string;
  event_types: string | null;
  description: string | null;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: string | null;
  disabled_at: string | null;
  disabled_reason: string | null;
  failing_since: string | null;
  created_at: string;
  updated_at: string;
}

export const toEndpoint = (row: EndpointRow): WebhookEndpoint => ({
  id: row.id, courseId: row.course_id, url: row.url,
  eventTypes: row.event_types === null ? null : JSON.parse(row.event_types) as WebhookEventType[],
  description: row.description, disabledAt: row.disabled_at, disabledReason: row.disabled_reason, failingSince: row.failing_since,
  previousSecretExpiresAt: row.previous_secret_expires_at, createdAt: row.created_at, updatedAt: row.updated_at,
});

/** The secrets that sign for an endpoint at `at`: the current one, and the previous one until it expires. */
export function signingSecrets(row: EndpointRow, at = new Date().toISOString()): string[] {
  const previousValid = row.previous_secret !== null && row.previous_secret_expires_at !== null && row.previous_secret_expires_at > at;
  return previousValid ? [row.secret, row.previous_secret!] : [row.secret];
}

/** Whether an endpoint that gets `eventTypes` (null: every type) gets `type`. */
export function subscribes(eventTypes: string | null, type: WebhookEventType): boolean {
  return eventTypes === null || (JSON.parse(eventTypes) as string[]).includes(type);
}

export interface MessageRow {
  id: string;
  course_id: string;
  type: WebhookEventType;
  submission_id: string | null;
  grade_number: number | null;
  incident_id: number | null;
  payload: string | null;
  created_at: string;
}

export const toMessage = (row: MessageRow): WebhookMessage => ({
  id: row.id, courseId: row.course_id, type: row.type, submissionId: row.submission_id, gradeNumber: row.grade_number,
  incidentId: row.incident_id, payload: row.payload, createdAt: row.created_at,
});

export interface DeliveryRow {
  id: number;
  message_id: string;
  endpoint_id: string;
  round: number;
  state: WebhookDeliveryState;
  attempts: number;
  next_attempt_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface AttemptRow {
  attempt: number;
  started_at: string;
  status: number | null;
  latency_ms: number;
  error: string | null;
  outcome: WebhookAttemptOutcome;
}

export const toAttempt = (a: AttemptRow): WebhookAttempt => ({
  attempt: a.attempt, startedAt: a.started_at, status: a.status, latencyMs: a.latency_ms, error: a.error, outcome: a.outcome,
});

export interface IntegrationRow {
  id: string;
  course_id: string;
  label: string | null;
  secret: string;
  created_at: string;
}

export const toIntegration = (row: IntegrationRow): InboundIntegration => ({ id: row.id, courseId: row.course_id, label: row.label, createdAt: row.created_at });
