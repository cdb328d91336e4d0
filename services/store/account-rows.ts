// What both backends share about people and sessions: the checks of their input and the mapping
// of their rows (the same columns in SQLite and PostgreSQL).
import { UserError } from '../common/errors.js';
import { quote } from './input-checks.js';
import { COURSE_ROLES, type CourseRole, type Session, type SessionTimes, type User } from './store.js';

export interface UserRow {
  id: string;
  email: string | null;
  name: string | null;
  password_hash: string | null;
  admin: number;
  created_at: string;
  disabled_at: string | null;
}

export const toUser = (row: UserRow): User => ({
  id: row.id, email: row.email, name: row.name, admin: Number(row.admin) === 1, hasPassword: row.password_hash !== null,
  createdAt: row.created_at, disabledAt: row.disabled_at,
});

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,189}$/;

/** An email as it is kept and compared: trimmed, lowercase. */
export function normalEmail(email: unknown): string {
  const text = typeof email === 'string' ? email.trim().toLowerCase() : '';
  if (!EMAIL.test(text)) throw new UserError('E_BAD_INPUT', `email ${quote(email)} is not an email address; give one like ada@example.org`);
  return text;
}

export function checkRole(role: unknown): CourseRole {
  if (!COURSE_ROLES.includes(role as CourseRole)) throw new UserError('E_BAD_INPUT', `role ${quote(role)} is not a course role; use ${COURSE_ROLES.join(' or ')}`);
  return role as CourseRole;
}

/** A password is stored as its hash (services/access/password-hash.ts), never as it is. */
export function checkPasswordHash(hash: unknown, nullable: boolean): string | null {
  if (hash === null && nullable) return null;
  if (typeof hash !== 'string' || !hash.startsWith('$')) throw new UserError('E_BAD_INPUT', 'a password is stored as its hash (services/access/password-hash.ts), never as it is');
  return hash;
}

export interface SessionRow {
  id: string;
  user_id: string;
  csrf_token: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
}

export const toSession = (row: SessionRow): Session => ({
  id: row.id, userId: row.user_id, csrfToken: row.csrf_token, createdAt: row.created_at, lastSeenAt: row.last_seen_at, expiresAt: row.expires_at,
});

/** A session's last use is written at most this often: a page's burst of requests costs one write. */
export const TOUCH_EVERY_MS = 60_000;

/** A session secret has 256 random bits; anything else is not looked up. */
export const SESSION_SECRET = /^[A-Za-z0-9_-]{43}$/;

export function checkTimes(times: SessionTimes): void {
  if (!(times?.lifetimeMs > 0) || !(times.idleMs > 0)) throw new UserError('E_BAD_INPUT', 'a session needs a lifetime and an idle time above 0 ms');
}

/** Whether a found session is still live at `at` (ms). */
export function sessionLive(row: SessionRow, times: SessionTimes, at: number): boolean {
  return at < Date.parse(row.expires_at) && at - Date.parse(row.last_seen_at) < times.idleMs;
}

/** A course role as held: by whom it was given matters to a launch (null: staff or an operator). */
export interface HeldRole {
  role: CourseRole;
  grantedBy: 'lti' | null;
}

const STRENGTH: Record<CourseRole, number> = { ta: 1, instructor: 2 };

/**
 * The role a staff launch leaves in a course, or null to leave the held one as it is: a role only
 * launches gave follows the latest launch (an LMS that makes an instructor a TA is obeyed); one
 * given otherwise is kept unless the launch's is stronger.
 */
export function roleAfterLaunch(held: HeldRole | null, launched: CourseRole): CourseRole | null {
  if (held === null || held.grantedBy === 'lti') return held?.role === launched ? null : launched;
  return STRENGTH[launched] > STRENGTH[held.role] ? launched : null;
}

/** The email an id token gives, kept as an account's email is, or null when it is not one. */
export function launchEmail(email: string | null): string | null {
  try {
    return normalEmail(email);
  } catch {
    return null;
  }
}
