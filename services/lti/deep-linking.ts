// The answer to a deep-linking request (Deep Linking 2.0, 4.2): a JWT signed with our current key,
// issued by our client id to the platform, naming one LTI resource link that launches gradebox with
// the custom parameter assignment=NAME (which maps it at launch) and asking for a line item whose
// resourceId is the assignment. The browser posts it to the platform's return URL.
import { randomBytes } from 'node:crypto';

import { SignJWT } from 'jose';

import type { LtiDeepLinkRequest, LtiPlatform } from '../store/lti-store.js';
import { CLAIM, LTI_VERSION } from './lti-claims.js';
import { launchUrl } from './login.js';
import type { LtiSettings } from './lti-settings.js';
import { ALGORITHM, type ToolKeys } from './tool-keys.js';

export interface PlacedAssignment {
  name: string;
  /** The line item's scoreMaximum; null makes none (the first grade makes it). */
  maxScore: number | null;
}

export async function deepLinkingResponse(keys: ToolKeys, settings: LtiSettings, platform: LtiPlatform, request: LtiDeepLinkRequest, assignment: PlacedAssignment): Promise<string> {
  const item: Record<string, unknown> = {
    type: 'ltiResourceLink', title: assignment.name, url: launchUrl(settings), custom: { assignment: assignment.name },
  };
  if (assignment.maxScore !== null) item.lineItem = { scoreMaximum: assignment.maxScore, label: assignment.name, resourceId: assignment.name };
  const { kid, key } = await keys.signingKey();
  return new SignJWT({
    nonce: randomBytes(16).toString('base64url'),
    [CLAIM.messageType]: 'LtiDeepLinkingResponse',
    [CLAIM.version]: LTI_VERSION,
    [CLAIM.deploymentId]: request.deploymentId,
    [CLAIM.contentItems]: [item],
    ...(request.data !== null ? { [CLAIM.deepLinkingData]: request.data } : {}),
  })
    .setProtectedHeader({ alg: ALGORITHM, kid, typ: 'JWT' })
    .setIssuer(platform.clientId).setAudience(platform.issuer)
    .setIssuedAt().setExpirationTime('5m')
    .sign(key);
}
