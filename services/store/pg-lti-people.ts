// Staff who come from an LMS, in PostgreSQL (the twin of sqlite-lti-people.ts): the person of an LTI
// identity (made on a first launch), the course role a launch gives, and the single-use handoff
// from a launch into the dashboard.
import { randomBytes } from 'node:crypto';

import { launchEmail, roleAfterLaunch, type HeldRole } from './account-rows.js';
import { newUserId } from './ids.js';
import { checkText } from './input-checks.js';
import { HANDOFF_PREFIX, tokenHash } from './lti-rows.js';
import type { LtiHandoff } from './lti-store.js';
import { now, row, writeTransaction } from './pg-connection.js';
import type { PgContext } from './pg-context.js';
import { requireCourse } from './pg-courses.js';
import { requireUser } from './pg-users.js';
import type { StoreOperations } from './store-operations.js';

export function ltiPeopleOperations({ pool }: PgContext) {
  return {
    findOrCreateLtiUser(issuer, subject, person) {
      checkText('identity issuer', issuer, 1000);
      checkText('identity subject', subject, 1000);
      return writeTransaction(pool, async (client) => {
        // Two first launches of one person at once: the second waits here and finds the first's.
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`lti-identity\n${issuer}\n${subject}`]);
        const known = await row<{ user_id: string }>(client, 'SELECT user_id FROM identities WHERE issuer = $1 AND subject = $2', [issuer, subject]);
        if (known) return requireUser(client, known.user_id);
        const email = launchEmail(person.email);
        const free = email !== null && (await row(client, 'SELECT 1 FROM users WHERE email = $1', [email])) === undefined;
        const id = newUserId();
        const at = now();
        await client.query('INSERT INTO users (id, email, name, password_hash, admin, created_at) VALUES ($1, $2, $3, NULL, 0, $4)',
          [id, free ? email : null, person.name?.slice(0, 200) ?? null, at]);
        await client.query('INSERT INTO identities (issuer, subject, user_id, created_at) VALUES ($1, $2, $3, $4)', [issuer, subject, id, at]);
        return requireUser(client, id);
      });
    },

    grantLtiCourseRole(userId, courseId, role) {
      return writeTransaction(pool, async (client) => {
        await requireUser(client, userId);
        await requireCourse(client, courseId);
        const found = await row<{ role: HeldRole['role']; granted_by: 'lti' | null }>(client,
          'SELECT role, granted_by FROM course_roles WHERE user_id = $1 AND course_id = $2 FOR UPDATE', [userId, courseId]);
        const held = found ? { role: found.role, grantedBy: found.granted_by } : null;
        const next = roleAfterLaunch(held, role);
        if (next === null) return held!.role;
        await client.query(`INSERT INTO course_roles (user_id, course_id, role, created_at, granted_by) VALUES ($1, $2, $3, $4, 'lti')
          ON CONFLICT (user_id, course_id) DO UPDATE SET role = excluded.role, granted_by = 'lti'`, [userId, courseId, next, now()]);
        return next;
      });
    },

    async createLtiHandoff(h) {
      const token = `${HANDOFF_PREFIX}${randomBytes(32).toString('base64url')}`;
      await writeTransaction(pool, async (client) => {
        await client.query('DELETE FROM lti_handoffs WHERE expires_at < $1', [now()]);
        await client.query('INSERT INTO lti_handoffs (token_sha256, user_id, course_id, assignment_id, expires_at) VALUES ($1, $2, $3, $4, $5)',
          [tokenHash(token), h.userId, h.courseId, h.assignmentId, h.expiresAt]);
      });
      return token;
    },

    async redeemLtiHandoff(token) {
      if (typeof token !== 'string' || !token.startsWith(HANDOFF_PREFIX)) return null;
      const at = now();
      const found = await row<{ user_id: string; course_id: string; assignment_id: number | null; expires_at: string }>(pool,
        `UPDATE lti_handoffs SET used_at = $1 WHERE token_sha256 = $2 AND used_at IS NULL AND expires_at >= $1
        RETURNING user_id, course_id, assignment_id, expires_at`, [at, tokenHash(token)]);
      return found ? { userId: found.user_id, courseId: found.course_id, assignmentId: found.assignment_id === null ? null : Number(found.assignment_id), expiresAt: found.expires_at } satisfies LtiHandoff : null;
    },
  } satisfies Partial<StoreOperations>;
}
