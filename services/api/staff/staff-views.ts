// How the store's records are shown by the staff API (snake_case, as the OpenAPI document names
// them): never a secret, never a password hash.
import type { z } from 'zod';

import type { Actor } from '../../access/actor.js';
import type { courseView, keyView, memberView, userView } from '../../protocol/staff-schemas.js';
import type { ApiKeyInfo, Course, CourseMember, User } from '../../store/store.js';

export function userJson(user: User): z.infer<typeof userView> {
  return {
    id: user.id, email: user.email, name: user.name, admin: user.admin, has_password: user.hasPassword,
    created_at: user.createdAt, disabled_at: user.disabledAt,
  };
}

export function keyJson(key: ApiKeyInfo): z.infer<typeof keyView> {
  return {
    id: key.id, course: key.courseId, label: key.label, prefix: key.prefix, scope: key.scope,
    created_at: key.createdAt, expires_at: key.expiresAt, revoked_at: key.revokedAt,
  };
}

export function memberJson(member: CourseMember): z.infer<typeof memberView> {
  return { user: userJson(member.user), role: member.role, since: member.createdAt };
}

/** The caller's role in the course, as the API names it; null: none. */
export function roleOf(actor: Actor, courseId: string): z.infer<typeof courseView>['role'] | null {
  if (actor.kind === 'cli' || (actor.kind === 'user' && actor.user.admin)) return 'admin';
  if (actor.kind === 'key') return actor.scope === 'staff' && actor.courseId === courseId ? 'staff_key' : null;
  return actor.roles[courseId] ?? null;
}

export function courseJson(course: Course, actor: Actor): z.infer<typeof courseView> {
  return { id: course.id, name: course.name, created_at: course.createdAt, archived_at: course.archivedAt, role: roleOf(actor, course.id) ?? 'admin' };
}
