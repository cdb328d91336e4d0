// Who an LTI user is in gradebox, by their platform roles: the one place where a launch meets
// gradebox's notion of people. Staff are accounts found by (issuer, sub) in identities (made on
// their first launch, with no password: they sign in through the LMS) holding the launch's role in
// the course; a learner is the submissions' `student`, their `sub`.
import { UserError } from '../common/errors.js';
import { studentName } from '../protocol/api-schemas.js';
import type { LtiPerson, LtiRole } from '../store/lti-store.js';
import type { CourseRole, Store, User } from '../store/store.js';

const MEMBERSHIP = 'http://purl.imsglobal.org/vocab/lis/v2/membership';

/** A role URI (or the short names some platforms still send) as the role it grants, strongest first. */
const ROLE_RULES: Array<[LtiRole, (role: string) => boolean]> = [
  // TeachingAssistant is a sub-role of Instructor (membership/Instructor#TeachingAssistant): tested first.
  ['ta', (r) => r === `${MEMBERSHIP}/Instructor#TeachingAssistant` || r === 'TeachingAssistant'],
  ['instructor', (r) => r === `${MEMBERSHIP}#Instructor` || r === `${MEMBERSHIP}#Administrator` || r === 'Instructor'],
  ['learner', (r) => r === `${MEMBERSHIP}#Learner` || r === 'Learner'],
];

/** The strongest gradebox role the platform roles grant; a UserError when none does. */
export function roleOf(roles: readonly string[]): LtiRole {
  for (const wanted of ['instructor', 'ta', 'learner'] as const) {
    if (roles.some((r) => ROLE_RULES.some(([role, matches]) => role === wanted && matches(r)))) return wanted;
  }
  throw new UserError('E_LTI_ROLE', 'the launch gives no role gradebox knows (Instructor, TeachingAssistant or Learner in this course)');
}

export type GradeboxIdentity = { kind: 'staff'; role: 'instructor' | 'ta' } | { kind: 'student'; student: string };

/** The gradebox identity of an LTI user in one course. */
export function gradeboxIdentity(sub: string, role: LtiRole): GradeboxIdentity {
  if (role !== 'learner') return { kind: 'staff', role };
  if (!studentName.safeParse(sub).success) {
    throw new UserError('E_LTI_SUB', 'the platform\'s user id (sub) cannot name a gradebox student (1 to 128 letters, digits or . _ @ + -); ask the operator');
  }
  return { kind: 'student', student: sub };
}

/** A staff launch's account, and its role in the launch's course before and after the launch. */
export interface StaffAccount {
  user: User;
  before: CourseRole | null;
  after: CourseRole | null;
}

/**
 * The account of a staff launch, found or made, given the launch's role in the course (never
 * admin; a stronger role given otherwise is kept: store/account-rows.ts roleAfterLaunch). An
 * admin's account needs no course role.
 */
export async function staffAccount(store: Store, issuer: string, sub: string, person: LtiPerson, courseId: string, role: CourseRole): Promise<StaffAccount> {
  const user = await store.findOrCreateLtiUser(issuer, sub, person);
  const before = (await store.courseRolesOf(user.id))[courseId] ?? null;
  if (user.admin || user.disabledAt !== null) return { user, before, after: before };
  return { user, before, after: await store.grantLtiCourseRole(user.id, courseId, role) };
}
