// Who makes a request: a course portal with its key, a staff key (the instructor API for one
// course), a person signed in with a session, or an operator at the command line.
import type { CourseRole, KeyScope, Session, User } from '../store/store.js';

export type Actor =
  | { kind: 'key'; scope: KeyScope; courseId: string; keyId: string }
  | { kind: 'user'; user: User; roles: Record<string, CourseRole>; session: Session }
  | { kind: 'cli'; name: string };

/** How the audit trail and the logs name an actor: never a secret. */
export function actorName(actor: Actor): string {
  switch (actor.kind) {
    case 'key':
      return `key:${actor.keyId}`;
    case 'user':
      return `user:${actor.user.email ?? actor.user.id}`;
    case 'cli':
      return `cli:${actor.name}`;
  }
}

/** What per-caller limits count (a key, or a person): stable across requests. */
export function actorKey(actor: Actor): string {
  return actor.kind === 'key' ? actor.keyId : actor.kind === 'user' ? actor.user.id : `cli:${actor.name}`;
}
