// A course's webhook endpoints in SQLite: where its events go, what they are signed with (a secret,
// and after a rotation the previous one for a while), and whether they are still sent.
import { UserError } from '../common/errors.js';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '../protocol/webhook-events.js';
import { newWebhookEndpointId } from '../protocol/webhook-ids.js';
import { newWebhookSecret } from '../protocol/webhook-secret.js';
import { checkCount, checkText, quote } from './input-checks.js';
import { now, writeTransaction, type SqliteDatabase } from './sqlite-connection.js';
import type { SqliteContext } from './sqlite-context.js';
import { requireCourse } from './sqlite-courses.js';
import type { StoreOperations } from './store-operations.js';
import type { WebhookEndpoint, WebhookEndpointChange } from './webhook-store.js';

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

export function endpointRow(db: SqliteDatabase, id: string): EndpointRow | null {
  return (db.prepare('SELECT * FROM webhook_endpoints WHERE id = ?').get(String(id)) as EndpointRow | undefined) ?? null;
}

function requireEndpoint(db: SqliteDatabase, id: string): EndpointRow {
  const row = endpointRow(db, id);
  if (!row) throw new UserError('E_NOT_FOUND', `webhook endpoint ${quote(id)} does not exist; list them with gradebox webhooks list --course C`);
  return row;
}

/** The secrets that sign for an endpoint at `at`: the current one, and the previous one until it expires. */
export function signingSecrets(row: EndpointRow, at = now()): string[] {
  const previousValid = row.previous_secret !== null && row.previous_secret_expires_at !== null && row.previous_secret_expires_at > at;
  return previousValid ? [row.secret, row.previous_secret!] : [row.secret];
}

/** An http(s) URL (whether its address may be used is the caller's check, before it comes here). */
function checkUrl(url: unknown): string {
  const text = checkText('webhook URL', url, 2048);
  if (!/^https?:\/\//i.test(text)) throw new UserError('E_BAD_INPUT', `webhook URL ${quote(text)} is not an http:// or https:// URL`);
  return text;
}

/** Null (every type) or a list of known types, each once, as the column keeps it (JSON). */
function eventTypesText(types: unknown): string | null {
  if (types === null || types === undefined) return null;
  const known = (t: unknown): t is WebhookEventType => WEBHOOK_EVENT_TYPES.includes(t as WebhookEventType);
  if (!Array.isArray(types) || types.length === 0 || !types.every(known)) {
    throw new UserError('E_BAD_INPUT', `webhook event types ${quote(JSON.stringify(types))} are not a list of ${WEBHOOK_EVENT_TYPES.join(', ')}`);
  }
  return JSON.stringify([...new Set(types)]);
}

function descriptionText(description: unknown): string | null {
  return description === null || description === undefined ? null : checkText('webhook description', description, 200);
}

/** The SET clauses of a change, with their values. */
function changeClauses(change: WebhookEndpointChange): { sets: string[]; values: unknown[] } {
  const sets: string[] = [];
  const values: unknown[] = [];
  if (change.url !== undefined) { sets.push('url = ?'); values.push(checkUrl(change.url)); }
  if (change.eventTypes !== undefined) { sets.push('event_types = ?'); values.push(eventTypesText(change.eventTypes)); }
  if (change.description !== undefined) { sets.push('description = ?'); values.push(descriptionText(change.description)); }
  if (change.enabled === true) sets.push('disabled_at = NULL, disabled_reason = NULL, failing_since = NULL');
  if (change.enabled === false) { sets.push('disabled_at = ?, disabled_reason = ?'); values.push(now(), 'disabled by its owner'); }
  return { sets, values };
}

export function webhookEndpointOperations({ db }: SqliteContext) {
  return {
    createWebhookEndpoint(courseId, input) {
      requireCourse(db, courseId);
      const url = checkUrl(input?.url);
      const types = eventTypesText(input.eventTypes);
      const description = descriptionText(input.description);
      const id = newWebhookEndpointId();
      const secret = newWebhookSecret();
      const at = now();
      db.prepare(`INSERT INTO webhook_endpoints (id, course_id, url, event_types, description, secret, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)`).run(id, courseId, url, types, description, secret, at, at);
      return { endpoint: toEndpoint(endpointRow(db, id)!), secret };
    },

    listWebhookEndpoints(courseId) {
      requireCourse(db, courseId);
      return (db.prepare('SELECT * FROM webhook_endpoints WHERE course_id = ? ORDER BY created_at, id').all(courseId) as EndpointRow[]).map(toEndpoint);
    },

    getWebhookEndpoint(id) {
      const row = endpointRow(db, id);
      return row ? toEndpoint(row) : null;
    },

    changeWebhookEndpoint(id, change) {
      const { sets, values } = changeClauses(change ?? {});
      if (sets.length === 0) throw new UserError('E_BAD_INPUT', 'nothing to change: give a url, events, a description or enabled');
      return writeTransaction(db, () => {
        requireEndpoint(db, id);
        db.prepare(`UPDATE webhook_endpoints SET ${sets.join(', ')}, updated_at = ? WHERE id = ?`).run(...values, now(), id);
        return toEndpoint(endpointRow(db, id)!);
      });
    },

    rotateWebhookSecret(id, graceMs) {
      checkCount('grace period', graceMs, 0);
      return writeTransaction(db, () => {
        const row = requireEndpoint(db, id);
        const secret = newWebhookSecret();
        const at = now();
        const until = new Date(Date.parse(at) + graceMs).toISOString();
        db.prepare('UPDATE webhook_endpoints SET secret = ?, previous_secret = ?, previous_secret_expires_at = ?, updated_at = ? WHERE id = ?')
          .run(secret, row.secret, until, at, id);
        return { endpoint: toEndpoint(endpointRow(db, id)!), secret };
      });
    },

    removeWebhookEndpoint(id) {
      writeTransaction(db, () => {
        requireEndpoint(db, id);
        db.prepare('DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM webhook_deliveries WHERE endpoint_id = ?)').run(id);
        db.prepare('DELETE FROM webhook_deliveries WHERE endpoint_id = ?').run(id);
        db.prepare('DELETE FROM webhook_endpoints WHERE id = ?').run(id);
      });
    },
  } satisfies Partial<StoreOperations>;
}
