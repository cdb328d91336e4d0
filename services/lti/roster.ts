// Names and Role Provisioning (NRPS 2.0): reads a context's roster, page by page (Link rel="next"),
// and makes each active learner known by their sub for every assignment placed in that context, so
// the grades of submissions they make through a portal (student = their sub) pass back too.
import { studentName } from '../protocol/api-schemas.js';
import type { LtiContext, LtiPlatform, LtiStore } from '../store/lti-store.js';
import { MEDIA, SCOPE } from './lti-claims.js';
import { roleOf } from './lti-identity.js';
import { failureOf, platformRequest, PlatformFailure } from './platform-request.js';
import type { ServiceTokens } from './service-token.js';

/** Pages read at most: a roster is a course's people, not an unbounded list. */
const MAX_PAGES = 100;

interface Member {
  user_id?: unknown;
  roles?: unknown;
  status?: unknown;
  name?: unknown;
  email?: unknown;
}

export interface RosterSync {
  members: number;
  learners: number;
}

function nextPage(link: string | null): string | null {
  const match = link?.split(',').map((part) => /<([^>]+)>\s*;\s*rel="?next"?/.exec(part)).find(Boolean);
  return match ? match[1]! : null;
}

async function keepMember(store: LtiStore, platform: LtiPlatform, context: LtiContext, member: Member): Promise<boolean> {
  if (typeof member.user_id !== 'string' || !Array.isArray(member.roles) || (member.status !== undefined && member.status !== 'Active')) return false;
  const roles = member.roles.filter((r): r is string => typeof r === 'string');
  await store.saveLtiUser({ platformId: platform.id, sub: member.user_id, name: typeof member.name === 'string' ? member.name : null, email: typeof member.email === 'string' ? member.email : null, roles });
  let role;
  try { role = roleOf(roles); } catch { return false; }
  if (role !== 'learner' || !studentName.safeParse(member.user_id).success) return false;
  for (const link of await store.listLtiResourceLinks(platform.id, context.contextId)) {
    await store.linkLtiLearner({ courseId: context.courseId, assignmentId: link.assignmentId!, student: member.user_id, platformId: platform.id, resourceLinkId: link.resourceLinkId });
  }
  return true;
}

export async function syncRoster(store: LtiStore, tokens: ServiceTokens, timeoutMs: number, platform: LtiPlatform, context: LtiContext): Promise<RosterSync> {
  if (!context.membershipsUrl) throw new PlatformFailure('no launch from this LMS course named a roster service: enable Names and Role Provisioning for the tool', null, true);
  const token = await tokens.token(platform, [SCOPE.memberships]);
  const sync: RosterSync = { members: 0, learners: 0 };
  let url: string | null = context.membershipsUrl;
  for (let page = 0; url !== null && page < MAX_PAGES; page += 1) {
    const answer = await platformRequest(url, { method: 'GET', headers: { authorization: `Bearer ${token}`, accept: MEDIA.memberships } }, timeoutMs);
    if (answer.status !== 200) throw failureOf(`reading the roster at ${url}`, answer);
    const members = ((answer.json as { members?: unknown } | null)?.members ?? []) as Member[];
    for (const member of Array.isArray(members) ? members : []) {
      sync.members += 1;
      if (await keepMember(store, platform, context, member)) sync.learners += 1;
    }
    url = nextPage(answer.headers.get('link'));
  }
  return sync;
}
