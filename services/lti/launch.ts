// What a valid launch does: maps the LMS context onto a course (an instructor's first launch makes
// the course and the link), the resource link onto an assignment (one linked before, by deep linking,
// or the custom parameter assignment=NAME), keeps the user with their roles and the service URLs
// the launch named, gives staff their account and course role, makes a learner known by their sub
// for the assignment's passback, and opens a short-lived launch session whose token the page uses
// instead of a cookie.
import { createHash } from 'node:crypto';

import { UserError } from '../common/errors.js';
import type { Assignment, Store } from '../store/store.js';
import type { LtiContext, LtiLaunchSession, LtiRole } from '../store/lti-store.js';
import { CLAIM } from './lti-claims.js';
import { gradeboxIdentity, roleOf, staffAccount, type StaffAccount } from './lti-identity.js';
import type { LtiSettings } from './lti-settings.js';
import type { ValidLaunch } from './launch-validation.js';

/** A refusal the user or their instructor can act on: 409, the LMS side is not set up yet. */
export class LaunchNotReady extends UserError {
  readonly status = 409;
}

export interface OpenedLaunch {
  token: string;
  session: LtiLaunchSession;
  /** The assignment the resource link maps to, when it does. */
  assignment: Assignment | null;
  /** A staff launch's gradebox account (null for a learner). */
  staff: StaffAccount | null;
}

type Claims = ValidLaunch['claims'];

const objectClaim = (claims: Claims, name: string): Record<string, unknown> => (claims[name] ?? {}) as Record<string, unknown>;
const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/** The course an instructor's first launch makes for an unlinked LMS course: named after it, with an id from (issuer, context). */
function courseIdFor(issuer: string, contextId: string): string {
  return `lti-${createHash('sha256').update(`${issuer}\n${contextId}`).digest('hex').slice(0, 12)}`;
}

async function contextOf(store: Store, launch: ValidLaunch, role: LtiRole): Promise<LtiContext> {
  const context = objectClaim(launch.claims, CLAIM.context);
  const contextId = String(context.id);
  const known = await store.findLtiContext(launch.platform.id, contextId);
  if (known) return known;
  if (role !== 'instructor') {
    throw new LaunchNotReady('E_LTI_CONTEXT_UNLINKED', 'this LMS course is not linked to a gradebox course yet: an instructor opens gradebox once from it, or an operator runs gradebox lti contexts link');
  }
  const title = text(context.title) ?? text(context.label);
  const course = await store.createCourse(courseIdFor(launch.platform.issuer, contextId), title?.slice(0, 200) ?? undefined);
  return store.linkLtiContext(launch.platform.id, contextId, course.id, title);
}

/** The assignment of the resource link: linked before, or named by the custom parameter `assignment`. */
async function assignmentOf(store: Store, launch: ValidLaunch, courseId: string): Promise<Assignment | null> {
  const linkId = String(objectClaim(launch.claims, CLAIM.resourceLink).id);
  const link = await store.findLtiResourceLink(launch.platform.id, linkId);
  const byName = text(objectClaim(launch.claims, CLAIM.custom).assignment);
  if (byName) {
    const named = await store.findAssignment(courseId, byName);
    if (!named) throw new LaunchNotReady('E_LTI_UNKNOWN_ASSIGNMENT', `course ${courseId} has no assignment "${byName}" (the placement's custom parameter assignment): add it with gradebox assignments add --course ${courseId}`);
    return named;
  }
  if (link?.assignmentId == null) return null;
  return (await store.listAssignments(courseId)).find((a) => a.id === link.assignmentId) ?? null;
}

async function keepServices(store: Store, launch: ValidLaunch, contextId: string): Promise<void> {
  const ags = objectClaim(launch.claims, CLAIM.ags);
  const nrps = objectClaim(launch.claims, CLAIM.nrps);
  await store.setLtiContextServices(launch.platform.id, contextId, text(ags.lineitems), text(nrps.context_memberships_url));
}

/** Opens the launch: maps what it names, and returns its session and token. */
export async function openLaunch(store: Store, settings: LtiSettings, launch: ValidLaunch): Promise<OpenedLaunch> {
  const { claims, platform } = launch;
  const sub = String(claims.sub);
  const role = roleOf(claims[CLAIM.roles] as string[]);
  const identity = gradeboxIdentity(sub, role);
  const context = await contextOf(store, launch, role);
  await keepServices(store, launch, context.contextId);
  const person = { name: text(claims.name), email: text(claims.email) };
  await store.saveLtiUser({ platformId: platform.id, sub, ...person, roles: claims[CLAIM.roles] as string[] });
  const staff = identity.kind === 'staff' ? await staffAccount(store, platform.issuer, sub, person, context.courseId, identity.role) : null;
  const base = { platformId: platform.id, sub, role, courseId: context.courseId, contextId: context.contextId, expiresAt: new Date(Date.now() + settings.launchTtlMs).toISOString() };
  if (launch.messageType === 'LtiDeepLinkingRequest') {
    if (identity.kind !== 'staff') throw new UserError('E_LTI_ROLE', 'only instructors place gradebox assignments in a course');
    const dl = objectClaim(claims, CLAIM.deepLinkingSettings);
    const session = { ...base, resourceLinkId: null, assignmentId: null, deepLink: { returnUrl: String(dl.deep_link_return_url), data: text(dl.data), deploymentId: launch.deploymentId } };
    return { token: await store.createLtiLaunch(session), session, assignment: null, staff };
  }
  const resourceLink = objectClaim(claims, CLAIM.resourceLink);
  const assignment = await assignmentOf(store, launch, context.courseId);
  const link = await store.saveLtiResourceLink({
    platformId: platform.id, resourceLinkId: String(resourceLink.id), contextId: context.contextId, courseId: context.courseId,
    assignmentId: assignment?.id ?? null, title: text(resourceLink.title), lineitemUrl: text(objectClaim(claims, CLAIM.ags).lineitem),
  });
  if (identity.kind === 'student') {
    if (!assignment) throw new LaunchNotReady('E_LTI_NO_ASSIGNMENT', 'this LMS item is not tied to a gradebox assignment yet: ask your instructor');
    await store.linkLtiLearner({ courseId: context.courseId, assignmentId: assignment.id, student: identity.student, platformId: platform.id, resourceLinkId: link.resourceLinkId });
  }
  const session = { ...base, resourceLinkId: link.resourceLinkId, assignmentId: assignment?.id ?? null, deepLink: null };
  return { token: await store.createLtiLaunch(session), session, assignment, staff };
}
