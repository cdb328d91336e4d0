// People in PostgreSQL: users (signing in by email and a password hash), the outside identities
// that will lead to them (an LTI issuer and subject), and their roles in courses.
import { UserError } from '../common/errors.js';
import { checkPasswordHash, checkRole, normalEmail, toUser, type UserRow } from './account-rows.js';
import { newUserId } from './ids.js';
import { checkText, quote } from './input-checks.js';
import { now, row, rows, writeTransaction, type Queryable } from './pg-connection.js';
import type { PgContext } from './pg-context.js';
import { requireCourse } from './pg-courses.js';
import type { CourseMember, CourseRole, User } from './store.js';
import type { StoreOperations } from './store-operations.js';

function userRow(db: Queryable, column: 'id' | 'email', value: string): Promise<UserRow | undefined> {
  return row<UserRow>(db, `SELECT * FROM users WHERE ${column} = $1`, [value]);
}

export async function requireUser(db: Queryable, id: string): Promise<User> {
  const found = await userRow(db, 'id', String(id));
  if (!found) throw new UserError('E_NOT_FOUND', `user ${quote(id)} does not exist; list the users to find the id`);
  return toUser(found);
}

async function member(db: Queryable, userId: string, courseId: string): Promise<CourseMember | null> {
  const found = await row<{ role: CourseRole; created_at: string }>(db, 'SELECT * FROM course_roles WHERE user_id = $1 AND course_id = $2', [userId, courseId]);
  return found ? { user: await requireUser(db, userId), courseId, role: found.role, createdAt: found.created_at } : null;
}

export function userOperations({ pool }: PgContext) {
  return {
    async createUser(input) {
      const email = normalEmail(input.email);
      const name = input.name == null ? null : checkText('name', input.name, 200);
      const hash = checkPasswordHash(input.passwordHash, true);
      const made = await row<UserRow>(pool, `INSERT INTO users (id, email, name, password_hash, admin, created_at) VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (email) DO NOTHING RETURNING *`, [newUserId(), email, name, hash, input.admin ? 1 : 0, now()]);
      if (!made) throw new UserError('E_USER_EXISTS', `a user with email ${email} exists already; reset their password instead`);
      return toUser(made);
    },

    async getUser(id) {
      const found = await userRow(pool, 'id', String(id));
      return found ? toUser(found) : null;
    },

    async findUserByEmail(email) {
      const found = await userRow(pool, 'email', normalEmail(email));
      return found ? toUser(found) : null;
    },

    async findUserForSignIn(email) {
      let normal: string;
      try {
        normal = normalEmail(email);
      } catch {
        return null;
      }
      const found = await userRow(pool, 'email', normal);
      return found && found.disabled_at === null ? { user: toUser(found), passwordHash: found.password_hash } : null;
    },

    async listUsers() {
      return (await rows<UserRow>(pool, 'SELECT * FROM users ORDER BY email COLLATE "C", id COLLATE "C"')).map(toUser);
    },

    async setPasswordHash(userId, passwordHash) {
      checkPasswordHash(passwordHash, false);
      await writeTransaction(pool, async (client) => {
        await requireUser(client, userId);
        await client.query('UPDATE users SET password_hash = $1 WHERE id = $2', [passwordHash, userId]);
        // A new password ends every session of the old one.
        await client.query('UPDATE sessions SET ended_at = COALESCE(ended_at, $1) WHERE user_id = $2', [now(), userId]);
      });
    },

    async addIdentity(issuer, subject, userId) {
      await requireUser(pool, userId);
      await pool.query('INSERT INTO identities (issuer, subject, user_id, created_at) VALUES ($1, $2, $3, $4)',
        [checkText('identity issuer', issuer, 1000), checkText('identity subject', subject, 1000), userId, now()]);
    },

    async findUserByIdentity(issuer, subject) {
      const found = await row<UserRow>(pool, 'SELECT u.* FROM identities i JOIN users u ON u.id = i.user_id WHERE i.issuer = $1 AND i.subject = $2', [String(issuer), String(subject)]);
      return found ? toUser(found) : null;
    },

    async setCourseRole(userId, courseId, role) {
      await requireUser(pool, userId);
      await requireCourse(pool, courseId);
      await pool.query(`INSERT INTO course_roles (user_id, course_id, role, created_at) VALUES ($1, $2, $3, $4)
        ON CONFLICT (user_id, course_id) DO UPDATE SET role = excluded.role, granted_by = NULL`, [userId, courseId, checkRole(role), now()]);
      return (await member(pool, userId, courseId))!;
    },

    async removeCourseRole(userId, courseId) {
      return ((await pool.query('DELETE FROM course_roles WHERE user_id = $1 AND course_id = $2', [String(userId), String(courseId)])).rowCount ?? 0) > 0;
    },

    async courseRolesOf(userId) {
      const found = await rows<{ course_id: string; role: CourseRole }>(pool, 'SELECT course_id, role FROM course_roles WHERE user_id = $1', [String(userId)]);
      return Object.fromEntries(found.map((r) => [r.course_id, r.role]));
    },

    async listCourseMembers(courseId) {
      await requireCourse(pool, courseId);
      const found = await rows<UserRow & { role: CourseRole; role_created_at: string }>(pool, `SELECT u.*, r.role, r.created_at AS role_created_at
        FROM course_roles r JOIN users u ON u.id = r.user_id WHERE r.course_id = $1 ORDER BY r.role COLLATE "C", u.email COLLATE "C"`, [courseId]);
      return found.map((r) => ({ user: toUser(r), courseId, role: r.role, createdAt: r.role_created_at }));
    },
  } satisfies Partial<StoreOperations>;
}
