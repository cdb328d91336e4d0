// Who an LTI user is in gradebox, by their platform roles: the one place where a launch meets
// gradebox's notion of people. Until gradebox has accounts, staff get the instructor page and a
// learner is the submissions' `student`, their `sub`; accounts will map (issuer, sub) here.
import { UserError } from '../common/errors.js';
import { studentName } from '../protocol/api-schemas.js';
import type { LtiRole } from '../store/lti-store.js';

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
