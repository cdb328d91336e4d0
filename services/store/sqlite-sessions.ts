// Signed-in sessions in SQLite: like keys, the secret is returned once and only its sha256 kept; a
// session ends at its lifetime, after an idle spell, at sign-out, or with its user's new password.
import { randomBytes } from 'node:crypto';

import { UserError } from '../common/errors.js';
import { newSessionId } from './ids.js';
import { hashSecret } from './key-hash.js';
import { now, relaxedWrite } from './sqlite-connection.js';
import type { SqliteContext } from './sqlite-context.js';
import { requireUser } from './sqlite-users.js';
import { checkTimes, SESSION_SECRET, sessionLive, toSession, TOUCH_EVERY_MS, type SessionRow } from './account-rows.js';
import type { StoreOperations } from './store-operations.js';

export function sessionOperations({ db }: SqliteContext) {
  return {
    createSession(userId, times) {
      checkTimes(times);
      const user = requireUser(db, userId);
      if (user.disabledAt) throw new UserError('E_USER_DISABLED', `user ${user.email ?? user.id} is disabled`);
      const secret = randomBytes(32).toString('base64url');
      const at = new Date();
      const id = newSessionId();
      db.prepare(`INSERT INTO sessions (id, secret_sha256, user_id, csrf_token, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`)
        .run(id, hashSecret(secret), userId, randomBytes(32).toString('base64url'), at.toISOString(), at.toISOString(), new Date(at.getTime() + times.lifetimeMs).toISOString());
      return { session: toSession(db.prepare('SELECT * FROM sessions WHERE id = ?').get(id) as SessionRow), secret };
    },

    /** Looked up by the secret's hash (an index on a digest: no timing tells how much of a guess was right). */
    authenticateSession(secret, times) {
      checkTimes(times);
      if (typeof secret !== 'string' || !SESSION_SECRET.test(secret)) return null;
      const row = db.prepare(`SELECT s.* FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE s.secret_sha256 = ? AND s.ended_at IS NULL AND u.disabled_at IS NULL`).get(hashSecret(secret)) as SessionRow | undefined;
      if (!row) return null;
      const at = Date.now();
      if (!sessionLive(row, times, at)) return null;
      if (at - Date.parse(row.last_seen_at) >= TOUCH_EVERY_MS) {
        row.last_seen_at = new Date(at).toISOString();
        // Losing this write in a power cut costs an idle minute at most.
        relaxedWrite(db, () => db.prepare('UPDATE sessions SET last_seen_at = ? WHERE id = ?').run(row.last_seen_at, row.id));
      }
      return toSession(row);
    },

    endSession(secret) {
      if (typeof secret !== 'string' || !SESSION_SECRET.test(secret)) return;
      db.prepare('UPDATE sessions SET ended_at = COALESCE(ended_at, ?) WHERE secret_sha256 = ?').run(now(), hashSecret(secret));
    },
  } satisfies Partial<StoreOperations>;
}
