// The short-lived state of LTI launches in PostgreSQL (the twin of sqlite-lti-launches.ts): login
// states (single use), nonces seen in id tokens, and launch sessions.
import { randomBytes } from 'node:crypto';

import { tokenHash, toLaunchSession, type LaunchRow } from './lti-rows.js';
import { now, row, writeTransaction } from './pg-connection.js';
import type { PgContext } from './pg-context.js';
import type { LtiLoginState } from './lti-store.js';
import type { StoreOperations } from './store-operations.js';


export function ltiLaunchOperations({ pool }: PgContext) {
  return {
    async saveLtiLoginState(s) {
      await writeTransaction(pool, async (client) => {
        await client.query('DELETE FROM lti_login_states WHERE expires_at < $1', [now()]);
        await client.query('INSERT INTO lti_login_states (state, nonce, platform_id, expires_at) VALUES ($1, $2, $3, $4)', [s.state, s.nonce, s.platformId, s.expiresAt]);
      });
    },

    async takeLtiLoginState(state) {
      // DELETE … RETURNING: of two launches with the same state, one gets it.
      const taken = await row<{ state: string; nonce: string; platform_id: number; expires_at: string }>(pool,
        'DELETE FROM lti_login_states WHERE state = $1 RETURNING state, nonce, platform_id, expires_at', [state]);
      if (!taken || taken.expires_at < now()) return null;
      return { state: taken.state, nonce: taken.nonce, platformId: taken.platform_id, expiresAt: taken.expires_at } satisfies LtiLoginState;
    },

    recordLtiNonce(platformId, nonce, expiresAt) {
      return writeTransaction(pool, async (client) => {
        await client.query('DELETE FROM lti_nonces WHERE expires_at < $1', [now()]);
        const inserted = await client.query('INSERT INTO lti_nonces (platform_id, nonce, expires_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [platformId, nonce, expiresAt]);
        return inserted.rowCount === 1;
      });
    },

    async createLtiLaunch(s) {
      const token = `ltl_${randomBytes(32).toString('base64url')}`;
      await writeTransaction(pool, async (client) => {
        await client.query('DELETE FROM lti_launches WHERE expires_at < $1', [now()]);
        await client.query(`INSERT INTO lti_launches (token_sha256, platform_id, sub, role, course_id, context_id, resource_link_id, assignment_id, deep_link_json, expires_at)
          VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, [tokenHash(token), s.platformId, s.sub, s.role, s.courseId, s.contextId, s.resourceLinkId,
          s.assignmentId, s.deepLink ? JSON.stringify(s.deepLink) : null, s.expiresAt]);
      });
      return token;
    },

    async findLtiLaunch(token) {
      if (typeof token !== 'string' || !token.startsWith('ltl_')) return null;
      const found = await row<LaunchRow>(pool, 'SELECT * FROM lti_launches WHERE token_sha256 = $1 AND expires_at >= $2', [tokenHash(token), now()]);
      if (!found) return null;
      return toLaunchSession(found);
    },
  } satisfies Partial<StoreOperations>;
}
