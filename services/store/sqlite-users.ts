// People in SQLite: users (signing in by email and a password hash), the outside identities that
// will lead to them (an LTI issuer and subject), and their roles in courses.
import { UserError } from '../common/errors.js';
import { newUserId } from './ids.js';
import { checkRole, checkPasswordHash, normalEmail, toUser, type UserRow } from './account-rows.js';
import { checkText, quote } from './input-checks.js';
import { now, writeTransaction, type SqliteDatabase } from './sqlite-connection.js';
import type { SqliteContext } from './sqlite-context.js';
import { requireCourse } from './sqlite-courses.js';
import type { CourseMember, CourseRole, User } from './store.js';
import type { StoreOperations } from './store-operations.js';

function userRow(db: SqliteDatabase, where: string, value: string): UserRow | undefined {
  return db.prepare(`SELECT * FROM users WHERE ${where} = ?`).get(value) as UserRow | undefined;
}

export function requireUser(db: SqliteDatabase, id: string): User {
  const row = userRow(db, 'id', String(id));
  if (!row) throw new UserError('E_NOT_FOUND', `user ${quote(id)} does not exist; list the users to find the id`);
  return toUser(row);
}

function member(db: SqliteDatabase, userId: string, courseId: string): CourseMember | null {
  const row = db.prepare('SELECT * FROM course_roles WHERE user_id = ? AND course_id = ?').get(userId, courseId) as
    { role: CourseRole; created_at: string } | undefined;
  return row ? { user: requireUser(db, userId), courseId, role: row.role, createdAt: row.created_at } : null;
}

export function userOperations({ db }: SqliteContext) {
  return {
    createUser(input) {
      const email = normalEmail(input.email);
      const name = input.name == null ? null : checkText('name', input.name, 200);
      const hash = checkPasswordHash(input.passwordHash, true);
      return writeTransaction(db, () => {
        if (userRow(db, 'email', email)) throw new UserError('E_USER_EXISTS', `a user with email ${email} exists already; reset their password instead`);
        const id = newUserId();
        db.prepare('INSERT INTO users (id, email, name, password_hash, admin, created_at) VALUES (?, ?, ?, ?, ?, ?)')
          .run(id, email, name, hash, input.admin ? 1 : 0, now());
        return requireUser(db, id);
      });
    },

    getUser(id) {
      const row = userRow(db, 'id', String(id));
      return row ? toUser(row) : null;
    },

    findUserByEmail(email) {
      const row = userRow(db, 'email', normalEmail(email));
      return row ? toUser(row) : null;
    },

    findUserForSignIn(email) {
      let normal: string;
      try {
        normal = normalEmail(email);
      } catch {
        return null;
      }
      const row = userRow(db, 'email', normal);
      return row && row.disabled_at === null ? { user: toUser(row), passwordHash: row.password_hash } : null;
    },

    listUsers() {
      return (db.prepare('SELECT * FROM users ORDER BY email, id').all() as UserRow[]).map(toUser);
    },

    setPasswordHash(userId, passwordHash) {
      checkPasswordHash(passwordHash, false);
      requireUser(db, userId);
      db.prepare('UPDATE users SET password_hash = ? WHERE id = ?').run(passwordHash, userId);
      // A new password ends every session of the old one.
      db.prepare('UPDATE sessions SET ended_at = COALESCE(ended_at, ?) WHERE user_id = ?').run(now(), userId);
    },

    addIdentity(issuer, subject, userId) {
      requireUser(db, userId);
      db.prepare('INSERT INTO identities (issuer, subject, user_id, created_at) VALUES (?, ?, ?, ?)')
        .run(checkText('identity issuer', issuer, 1000), checkText('identity subject', subject, 1000), userId, now());
    },

    findUserByIdentity(issuer, subject) {
      const row = db.prepare('SELECT u.* FROM identities i JOIN users u ON u.id = i.user_id WHERE i.issuer = ? AND i.subject = ?').get(String(issuer), String(subject)) as UserRow | undefined;
      return row ? toUser(row) : null;
    },

    setCourseRole(userId, courseId, role) {
      requireUser(db, userId);
      requireCourse(db, courseId);
      db.prepare(`INSERT INTO course_roles (user_id, course_id, role, created_at) VALUES (?, ?, ?, ?)
        ON CONFLICT (user_id, course_id) DO UPDATE SET role = excluded.role, granted_by = NULL`).run(userId, courseId, checkRole(role), now());
      return member(db, userId, courseId)!;
    },

    removeCourseRole(userId, courseId) {
      return db.prepare('DELETE FROM course_roles WHERE user_id = ? AND course_id = ?').run(String(userId), String(courseId)).changes > 0;
    },

    courseRolesOf(userId) {
      const rows = db.prepare('SELECT course_id, role FROM course_roles WHERE user_id = ?').all(String(userId)) as Array<{ course_id: string; role: CourseRole }>;
      return Object.fromEntries(rows.map((r) => [r.course_id, r.role]));
    },

    listCourseMembers(courseId) {
      requireCourse(db, courseId);
      const rows = db.prepare(`SELECT u.*, r.role, r.created_at AS role_created_at FROM course_roles r JOIN users u ON u.id = r.user_id
        WHERE r.course_id = ? ORDER BY r.role, u.email`).all(courseId) as Array<UserRow & { role: CourseRole; role_created_at: string }>;
      return rows.map((row) => ({ user: toUser(row), courseId, role: row.role, createdAt: row.role_created_at }));
    },
  } satisfies Partial<StoreOperations>;
}
