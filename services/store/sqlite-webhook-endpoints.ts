// A course's webhook endpoints in SQLite: where its events go, what they are signed with (a secret,
// and after a rotation the previous one for a while), and whether they are still sent.
import { UserError } from '../common/errors.js';
import { newWebhookEndpointId } from '../protocol/webhook-ids.js';
import { newWebhookSecret } from '../protocol/webhook-secret.js';
import { checkCount, quote } from './input-checks.js';
import { now, writeTransaction, type SqliteDatabase } from './sqlite-connection.js';
import type { SqliteContext } from './sqlite-context.js';
import { requireCourse } from './sqlite-courses.js';
import type { StoreOperations } from './store-operations.js';
import { checkUrl, descriptionText, eventTypesText } from './webhook-checks.js';
import { toEndpoint, type EndpointRow } from './webhook-rows.js';
import type { WebhookEndpointChange } from './webhook-store.js';

export function endpointRow(db: SqliteDatabase, id: string): EndpointRow | null {
  return (db.prepare('SELECT * FROM webhook_endpoints WHERE id = ?').get(String(id)) as EndpointRow | undefined) ?? null;
}

function requireEndpoint(db: SqliteDatabase, id: string): EndpointRow {
  const row = endpointRow(db, id);
  if (!row) throw new UserError('E_NOT_FOUND', `webhook endpoint ${quote(id)} does not exist; list them with gradebox webhooks list --course C`);
  return row;
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
