// The LTI tables' rows as every backend reads them (times as ISO-8601 text, JSON columns as their
// text, ids as numbers), and the store's objects made from them.
import { createHash } from 'node:crypto';

import type {
  LtiContext, LtiDeepLinkRequest, LtiDeliveryState, LtiKey, LtiLaunchSession, LtiPlatform, LtiResourceLink, LtiRole, LtiScoreDelivery, LtiScoreKind,
} from './lti-store.js';

export interface PlatformRow {
  id: number;
  issuer: string;
  client_id: string;
  auth_url: string;
  token_url: string;
  jwks_url: string;
  created_at: string;
}

export interface KeyRow {
  kid: string;
  private_jwk: string;
  public_jwk: string;
  created_at: string;
}

/** A platform row with its deployment ids, as the store gives it. */
export const toPlatform = (r: PlatformRow, deploymentIds: string[]): LtiPlatform => ({
  id: r.id, issuer: r.issuer, clientId: r.client_id, authUrl: r.auth_url, tokenUrl: r.token_url, jwksUrl: r.jwks_url,
  deploymentIds, createdAt: r.created_at,
});

export const toKey = (r: KeyRow): LtiKey => ({ kid: r.kid, privateJwk: r.private_jwk, publicJwk: r.public_jwk, createdAt: r.created_at });

export interface ContextRow {
  platform_id: number;
  context_id: string;
  course_id: string;
  title: string | null;
  lineitems_url: string | null;
  memberships_url: string | null;
}

export interface LinkRow {
  platform_id: number;
  resource_link_id: string;
  context_id: string;
  course_id: string;
  assignment_id: number | null;
  title: string | null;
  lineitem_url: string | null;
}

export const toContext = (r: ContextRow): LtiContext => ({
  platformId: r.platform_id, contextId: r.context_id, courseId: r.course_id, title: r.title, lineitemsUrl: r.lineitems_url, membershipsUrl: r.memberships_url,
});

export const toLink = (r: LinkRow): LtiResourceLink => ({
  platformId: r.platform_id, resourceLinkId: r.resource_link_id, contextId: r.context_id, courseId: r.course_id,
  assignmentId: r.assignment_id, title: r.title, lineitemUrl: r.lineitem_url,
});

export interface LaunchRow {
  platform_id: number;
  sub: string;
  role: LtiRole;
  course_id: string;
  context_id: string;
  resource_link_id: string | null;
  assignment_id: number | null;
  deep_link_json: string | null;
  expires_at: string;
}

/** A launch token is kept as its hash only. */
/** A handoff token (a staff launch into the dashboard) starts so; anything else is not looked up. */
export const HANDOFF_PREFIX = 'lth_';

export const tokenHash = (token: string): string => createHash('sha256').update(token).digest('hex');

/** A launch row as the session it allows. */
export const toLaunchSession = (r: LaunchRow): LtiLaunchSession => ({
  platformId: r.platform_id, sub: r.sub, role: r.role, courseId: r.course_id, contextId: r.context_id,
  resourceLinkId: r.resource_link_id, assignmentId: r.assignment_id,
  deepLink: r.deep_link_json === null ? null : JSON.parse(r.deep_link_json) as LtiDeepLinkRequest,
  expiresAt: r.expires_at,
});

export interface DeliveryRow {
  id: number;
  course_id: string;
  assignment_id: number;
  student: string;
  submission_id: string;
  grade_number: number;
  kind: LtiScoreKind;
  platform_id: number;
  resource_link_id: string;
  score_timestamp: string;
  state: LtiDeliveryState;
  attempts: number;
  next_attempt_at: string;
  last_status: number | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

export const toDelivery = (r: DeliveryRow): LtiScoreDelivery => ({
  id: r.id, courseId: r.course_id, assignmentId: r.assignment_id, student: r.student, submissionId: r.submission_id, gradeNumber: r.grade_number,
  kind: r.kind, platformId: r.platform_id, resourceLinkId: r.resource_link_id, timestamp: r.score_timestamp, state: r.state,
  attempts: r.attempts, nextAttemptAt: r.next_attempt_at, lastStatus: r.last_status, lastError: r.last_error, createdAt: r.created_at, updatedAt: r.updated_at,
});
