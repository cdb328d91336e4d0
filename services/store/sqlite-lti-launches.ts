// The short-lived state of LTI launches in SQLite: login states (single use), nonces seen in id
// tokens (a replay is refused), and launch sessions (a bearer token's hash and what it allows).
import { randomBytes } from 'node:crypto';

import { tokenHash, toLaunchSession, type LaunchRow } from './lti-rows.js';
import { now, writeTransaction } from './sqlite-connection.js';
import type { SqliteContext } from './sqlite-context.js';
import type { LtiLoginState } from './lti-store.js';
import type { StoreOperations } from './store-operations.js';


export function ltiLaunchOperations({ db }: SqliteContext) {
  return {
    saveLtiLoginState(s) {
      writeTransaction(db, () => {
        // Expired states go as new ones come: the table holds only logins of the last minutes.
        db.prepare('DELETE FROM lti_login_states WHERE expires_at < ?').run(now());
        db.prepare('INSERT INTO lti_login_states (state, nonce, platform_id, expires_at) VALUES (?, ?, ?, ?)').run(s.state, s.nonce, s.platformId, s.expiresAt);
      });
    },

    takeLtiLoginState(state) {
      return writeTransaction(db, () => {
        const row = db.prepare('SELECT state, nonce, platform_id, expires_at FROM lti_login_states WHERE state = ?').get(state) as
          { state: string; nonce: string; platform_id: number; expires_at: string } | undefined;
        if (!row) return null;
        db.prepare('DELETE FROM lti_login_states WHERE state = ?').run(state);
        if (row.expires_at < now()) return null;
        return { state: row.state, nonce: row.nonce, platformId: row.platform_id, expiresAt: row.expires_at } satisfies LtiLoginState;
      });
    },

    recordLtiNonce(platformId, nonce, expiresAt) {
      return writeTransaction(db, () => {
        db.prepare('DELETE FROM lti_nonces WHERE expires_at < ?').run(now());
        return db.prepare('INSERT INTO lti_nonces (platform_id, nonce, expires_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING').run(platformId, nonce, expiresAt).changes === 1;
      });
    },

    createLtiLaunch(s) {
      const token = `ltl_${randomBytes(32).toString('base64url')}`;
      writeTransaction(db, () => {
        db.prepare('DELETE FROM lti_launches WHERE expires_at < ?').run(now());
        db.prepare(`INSERT INTO lti_launches (token_sha256, platform_id, sub, role, course_id, context_id, resource_link_id, assignment_id, deep_link_json, expires_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(tokenHash(token), s.platformId, s.sub, s.role, s.courseId, s.contextId, s.resourceLinkId,
          s.assignmentId, s.deepLink ? JSON.stringify(s.deepLink) : null, s.expiresAt);
      });
      return token;
    },

    findLtiLaunch(token) {
      if (typeof token !== 'string' || !token.startsWith('ltl_')) return null;
      const row = db.prepare('SELECT * FROM lti_launches WHERE token_sha256 = ? AND expires_at >= ?').get(tokenHash(token), now()) as LaunchRow | undefined;
      if (!row) return null;
      return toLaunchSession(row);
    },
  } satisfies Partial<StoreOperations>;
}
