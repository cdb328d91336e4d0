// Signed-in sessions in PostgreSQL: like keys, the secret is returned once and only its sha256
// kept; a session ends at its lifetime, after an idle spell, at sign-out, or with its user's new password.
import { randomBytes } from 'node:crypto';

import { UserError } from '../common/errors.js';
import { checkTimes, SESSION_SECRET, sessionLive, toSession, TOUCH_EVERY_MS, type SessionRow } from './account-rows.js';
import { newSessionId } from './ids.js';
import { hashSecret } from './key-hash.js';
import { now, relaxedWrite, row } from './pg-connection.js';
import type { PgContext } from './pg-context.js';
import { requireUser } from './pg-users.js';
import type { StoreOperations } from './store-operations.js';

export function sessionOperations({ pool }: PgContext) {
  return {
    async createSession(userId, times) {
      checkTimes(times);
      const user = await requireUser(pool, userId);
      if (user.disabledAt) throw new UserError('E_USER_DISABLED', `user ${user.email ?? user.id} is disabled`);
      const secret = randomBytes(32).toString('base64url');
      const at = new Date();
      const made = await row<SessionRow>(pool, `INSERT INTO sessions (id, secret_sha256, user_id, csrf_token, created_at, last_seen_at, expires_at)
        VALUES ($1, $2, $3, $4, $5, $5, $6) RETURNING *`,
      [newSessionId(), hashSecret(secret), userId, randomBytes(32).toString('base64url'), at.toISOString(), new Date(at.getTime() + times.lifetimeMs).toISOString()]);
      return { session: toSession(made!), secret };
    },

    /** Looked up by the secret's hash (an index on a digest: no timing tells how much of a guess was right). */
    async authenticateSession(secret, times) {
      checkTimes(times);
      if (typeof secret !== 'string' || !SESSION_SECRET.test(secret)) return null;
      const found = await row<SessionRow>(pool, `SELECT s.* FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE s.secret_sha256 = $1 AND s.ended_at IS NULL AND u.disabled_at IS NULL`, [hashSecret(secret)]);
      const at = Date.now();
      if (!found || !sessionLive(found, times, at)) return null;
      if (at - Date.parse(found.last_seen_at) >= TOUCH_EVERY_MS) {
        found.last_seen_at = new Date(at).toISOString();
        // Losing this write in a crash of the database costs an idle minute at most.
        await relaxedWrite(pool, (client) => client.query('UPDATE sessions SET last_seen_at = $1 WHERE id = $2', [found.last_seen_at, found.id]));
      }
      return toSession(found);
    },

    async endSession(secret) {
      if (typeof secret !== 'string' || !SESSION_SECRET.test(secret)) return;
      await pool.query('UPDATE sessions SET ended_at = COALESCE(ended_at, $1) WHERE secret_sha256 = $2', [now(), hashSecret(secret)]);
    },
  } satisfies Partial<StoreOperations>;
}
