// Staff who come from an LMS, in SQLite: the person of an LTI identity (made on a first launch),
// the course role a launch gives, and the single-use handoff from a launch into the dashboard.
import { randomBytes } from 'node:crypto';

import { launchEmail, roleAfterLaunch, type HeldRole } from './account-rows.js';
import { newUserId } from './ids.js';
import { checkText } from './input-checks.js';
import { HANDOFF_PREFIX, tokenHash } from './lti-rows.js';
import type { LtiHandoff } from './lti-store.js';
import { now, writeTransaction, type SqliteDatabase } from './sqlite-connection.js';
import type { SqliteContext } from './sqlite-context.js';
import { requireCourse } from './sqlite-courses.js';
import { requireUser } from './sqlite-users.js';
import type { StoreOperations } from './store-operations.js';

function heldRole(db: SqliteDatabase, userId: string, courseId: string): HeldRole | null {
  const row = db.prepare('SELECT role, granted_by FROM course_roles WHERE user_id = ? AND course_id = ?').get(userId, courseId) as
    { role: HeldRole['role']; granted_by: 'lti' | null } | undefined;
  return row ? { role: row.role, grantedBy: row.granted_by } : null;
}

export function ltiPeopleOperations({ db }: SqliteContext) {
  return {
    findOrCreateLtiUser(issuer, subject, person) {
      checkText('identity issuer', issuer, 1000);
      checkText('identity subject', subject, 1000);
      return writeTransaction(db, () => {
        const known = db.prepare('SELECT user_id FROM identities WHERE issuer = ? AND subject = ?').pluck().get(issuer, subject) as string | undefined;
        if (known) return requireUser(db, known);
        const email = launchEmail(person.email);
        const free = email !== null && db.prepare('SELECT 1 FROM users WHERE email = ?').get(email) === undefined;
        const id = newUserId();
        const at = now();
        db.prepare('INSERT INTO users (id, email, name, password_hash, admin, created_at) VALUES (?, ?, ?, NULL, 0, ?)')
          .run(id, free ? email : null, person.name?.slice(0, 200) ?? null, at);
        db.prepare('INSERT INTO identities (issuer, subject, user_id, created_at) VALUES (?, ?, ?, ?)').run(issuer, subject, id, at);
        return requireUser(db, id);
      });
    },

    grantLtiCourseRole(userId, courseId, role) {
      return writeTransaction(db, () => {
        requireUser(db, userId);
        requireCourse(db, courseId);
        const held = heldRole(db, userId, courseId);
        const next = roleAfterLaunch(held, role);
        if (next === null) return held!.role;
        db.prepare(`INSERT INTO course_roles (user_id, course_id, role, created_at, granted_by) VALUES (?, ?, ?, ?, 'lti')
          ON CONFLICT (user_id, course_id) DO UPDATE SET role = excluded.role, granted_by = 'lti'`).run(userId, courseId, next, now());
        return next;
      });
    },

    createLtiHandoff(h) {
      const token = `${HANDOFF_PREFIX}${randomBytes(32).toString('base64url')}`;
      writeTransaction(db, () => {
        // Spent and expired handoffs go as new ones come: the table holds only the last minutes'.
        db.prepare('DELETE FROM lti_handoffs WHERE expires_at < ?').run(now());
        db.prepare('INSERT INTO lti_handoffs (token_sha256, user_id, course_id, assignment_id, expires_at) VALUES (?, ?, ?, ?, ?)')
          .run(tokenHash(token), h.userId, h.courseId, h.assignmentId, h.expiresAt);
      });
      return token;
    },

    redeemLtiHandoff(token) {
      if (typeof token !== 'string' || !token.startsWith(HANDOFF_PREFIX)) return null;
      // One UPDATE marks it used and reads it: of two redemptions, one gets it.
      const row = db.prepare(`UPDATE lti_handoffs SET used_at = ? WHERE token_sha256 = ? AND used_at IS NULL AND expires_at >= ?
        RETURNING user_id, course_id, assignment_id, expires_at`).get(now(), tokenHash(token), now()) as
        { user_id: string; course_id: string; assignment_id: number | null; expires_at: string } | undefined;
      return row ? { userId: row.user_id, courseId: row.course_id, assignmentId: row.assignment_id, expiresAt: row.expires_at } satisfies LtiHandoff : null;
    },
  } satisfies Partial<StoreOperations>;
}
