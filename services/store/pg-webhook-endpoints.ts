// A course's webhook endpoints in PostgreSQL: where its events go, what they are signed with (a
// secret, and after a rotation the previous one for a while), and whether they are still sent.
import { UserError } from '../common/errors.js';
import { newWebhookEndpointId } from '../protocol/webhook-ids.js';
import { newWebhookSecret } from '../protocol/webhook-secret.js';
import { checkCount, quote } from './input-checks.js';
import { now, row, rows, writeTransaction, type Queryable } from './pg-connection.js';
import type { PgContext } from './pg-context.js';
import { requireCourse } from './pg-courses.js';
import type { StoreOperations } from './store-operations.js';
import { checkUrl, descriptionText, eventTypesText } from './webhook-checks.js';
import { toEndpoint, type EndpointRow } from './webhook-rows.js';
import type { WebhookEndpointChange } from './webhook-store.js';

/** The endpoint's row, or null; `lock` inside a transaction that will change it. */
export async function endpointRow(db: Queryable, id: string, lock = false): Promise<EndpointRow | null> {
  return (await row<EndpointRow>(db, `SELECT * FROM webhook_endpoints WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [String(id)])) ?? null;
}

async function requireEndpoint(db: Queryable, id: string, lock = false): Promise<EndpointRow> {
  const found = await endpointRow(db, id, lock);
  if (!found) throw new UserError('E_NOT_FOUND', `webhook endpoint ${quote(id)} does not exist; list them with gradebox webhooks list --course C`);
  return found;
}

/** The SET clauses of a change, with their values (numbered from $1). */
function changeClauses(change: WebhookEndpointChange): { sets: string[]; values: unknown[] } {
  const sets: string[] = [];
  const values: unknown[] = [];
  const set = (column: string, value: unknown) => { values.push(value); sets.push(`${column} = $${values.length}`); };
  if (change.url !== undefined) set('url', checkUrl(change.url));
  if (change.eventTypes !== undefined) set('event_types', eventTypesText(change.eventTypes));
  if (change.description !== undefined) set('description', descriptionText(change.description));
  if (change.enabled === true) sets.push('disabled_at = NULL, disabled_reason = NULL, failing_since = NULL');
  if (change.enabled === false) { set('disabled_at', now()); set('disabled_reason', 'disabled by its owner'); }
  return { sets, values };
}

export function webhookEndpointOperations({ pool }: PgContext) {
  return {
    async createWebhookEndpoint(courseId, input) {
      await requireCourse(pool, courseId);
      const url = checkUrl(input?.url);
      const types = eventTypesText(input.eventTypes);
      const description = descriptionText(input.description);
      const id = newWebhookEndpointId();
      const secret = newWebhookSecret();
      const at = now();
      await pool.query(`INSERT INTO webhook_endpoints (id, course_id, url, event_types, description, secret, created_at, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`, [id, courseId, url, types, description, secret, at]);
      return { endpoint: toEndpoint((await endpointRow(pool, id))!), secret };
    },

    async listWebhookEndpoints(courseId) {
      await requireCourse(pool, courseId);
      return (await rows<EndpointRow>(pool, 'SELECT * FROM webhook_endpoints WHERE course_id = $1 ORDER BY created_at, id', [courseId])).map(toEndpoint);
    },

    async getWebhookEndpoint(id) {
      const found = await endpointRow(pool, id);
      return found ? toEndpoint(found) : null;
    },

    changeWebhookEndpoint(id, change) {
      const { sets, values } = changeClauses(change ?? {});
      if (sets.length === 0) throw new UserError('E_BAD_INPUT', 'nothing to change: give a url, events, a description or enabled');
      return writeTransaction(pool, async (client) => {
        await requireEndpoint(client, id, true);
        await client.query(`UPDATE webhook_endpoints SET ${sets.join(', ')}, updated_at = $${values.length + 1} WHERE id = $${values.length + 2}`, [...values, now(), id]);
        return toEndpoint((await endpointRow(client, id))!);
      });
    },

    rotateWebhookSecret(id, graceMs) {
      checkCount('grace period', graceMs, 0);
      return writeTransaction(pool, async (client) => {
        const current = await requireEndpoint(client, id, true);
        const secret = newWebhookSecret();
        const at = now();
        const until = new Date(Date.parse(at) + graceMs).toISOString();
        await client.query('UPDATE webhook_endpoints SET secret = $1, previous_secret = $2, previous_secret_expires_at = $3, updated_at = $4 WHERE id = $5',
          [secret, current.secret, until, at, id]);
        return { endpoint: toEndpoint((await endpointRow(client, id))!), secret };
      });
    },

    async removeWebhookEndpoint(id) {
      await writeTransaction(pool, async (client) => {
        await requireEndpoint(client, id, true);
        await client.query('DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM webhook_deliveries WHERE endpoint_id = $1)', [id]);
        await client.query('DELETE FROM webhook_deliveries WHERE endpoint_id = $1', [id]);
        await client.query('DELETE FROM webhook_endpoints WHERE id = $1', [id]);
      });
    },
  } satisfies Partial<StoreOperations>;
}
