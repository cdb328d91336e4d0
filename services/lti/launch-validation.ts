// Validation of a launch's id token (LTI Security Framework 1.0, 5.1.3; LTI Core 1.3, 5.3): the
// state from our login (single use), the signature by the platform's key named by kid, iss, aud
// (and azp when there are several audiences), exp and iat within a small clock tolerance, a nonce
// never seen before and equal to the login's, a deployment registered for the platform, a message
// type gradebox handles, version 1.3.0 and the claims that message requires. Every failure is a
// UserError with its own E_LTI_ code: what the platform (or its admin) must fix.
import { errors, jwtVerify, type JWTPayload } from 'jose';

import { UserError } from '../common/errors.js';
import type { LtiPlatform, LtiStore } from '../store/lti-store.js';
import { CLAIM, LTI_VERSION, MESSAGE_TYPES, type LtiMessageType } from './lti-claims.js';
import type { LtiSettings } from './lti-settings.js';
import type { PlatformKeys } from './platform-keys.js';
import { ALGORITHM } from './tool-keys.js';

/** A launch whose id token held: its platform, message type and claims. */
export interface ValidLaunch {
  platform: LtiPlatform;
  messageType: LtiMessageType;
  deploymentId: string;
  claims: JWTPayload & Record<string, unknown>;
}

/** An invalid launch: 401, the platform's id token does not prove who is launching. */
export class LaunchRefused extends UserError {
  readonly status = 401;
}

const refuse = (code: string, message: string) => new LaunchRefused(code, message);

function stringField(form: Record<string, unknown>, name: string): string {
  const value = form[name];
  if (typeof value !== 'string' || value === '') throw new UserError('E_LTI_LAUNCH', `the launch has no ${name}: it must be the platform's form post after a login at /lti/login`);
  return value;
}

/** jose's verdicts, said as what the platform did wrong. */
function translate(error: unknown, platform: LtiPlatform): never {
  if (error instanceof errors.JWTExpired) throw refuse('E_LTI_EXPIRED', `the id token expired (exp ${String(error.payload.exp)}); launch again, and check the platform's clock`);
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'iss') throw refuse('E_LTI_ISSUER', `the id token's iss is not ${platform.issuer}, the issuer this login was for`);
    if (error.claim === 'aud') throw refuse('E_LTI_AUDIENCE', `the id token's aud does not name the client id ${platform.clientId}; check the client id registered for ${platform.issuer}`);
    if (error.claim === 'iat') throw refuse('E_LTI_IAT', 'the id token\'s iat is in the future or missing; check the platform\'s clock');
    throw refuse('E_LTI_CLAIM', `the id token's ${error.claim} claim is invalid: ${error.reason}`);
  }
  if (error instanceof errors.JWKSNoMatchingKey) throw refuse('E_LTI_SIGNATURE', `no key of ${platform.jwksUrl} matches the id token's kid, even after fetching the set again`);
  if (error instanceof errors.JWSSignatureVerificationFailed) throw refuse('E_LTI_SIGNATURE', `the id token's signature does not verify with the platform's key from ${platform.jwksUrl}`);
  if (error instanceof errors.JOSEAlgNotAllowed) throw refuse('E_LTI_SIGNATURE', `the id token is not signed with ${ALGORITHM}`);
  if (error instanceof errors.JOSEError) throw refuse('E_LTI_TOKEN', `the id token cannot be verified (${error.code}): ${error.message}`);
  throw error;
}

async function verifyToken(idToken: string, platform: LtiPlatform, keys: PlatformKeys, settings: LtiSettings): Promise<ValidLaunch['claims']> {
  try {
    const { payload } = await jwtVerify(idToken, keys.of(platform.jwksUrl), {
      algorithms: [ALGORITHM], issuer: platform.issuer, audience: platform.clientId,
      clockTolerance: settings.clockToleranceS, requiredClaims: ['exp', 'iat', 'nonce'],
    });
    if ((payload.iat ?? 0) > Date.now() / 1000 + settings.clockToleranceS) throw refuse('E_LTI_IAT', 'the id token was issued in the future; check the platform\'s clock');
    // Core 1.3, 5.1.2: with several audiences, azp names ours; when present it must be ours.
    const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    if ((audiences.length > 1 || payload.azp !== undefined) && payload.azp !== platform.clientId) {
      throw refuse('E_LTI_AUDIENCE', `the id token's azp is not the client id ${platform.clientId}`);
    }
    return payload as ValidLaunch['claims'];
  } catch (error) {
    if (error instanceof LaunchRefused) throw error;
    return translate(error, platform);
  }
}

function requireClaim(claims: Record<string, unknown>, name: string, ok: (value: unknown) => boolean): void {
  if (!ok(claims[name])) throw new UserError('E_LTI_CLAIM', `the id token lacks the required claim ${name} (or it has the wrong form)`);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkMessage(claims: Record<string, unknown>): LtiMessageType {
  const type = claims[CLAIM.messageType];
  if (!MESSAGE_TYPES.includes(type as LtiMessageType)) {
    throw refuse('E_LTI_MESSAGE_TYPE', `the message type ${JSON.stringify(type)} is not one gradebox handles (${MESSAGE_TYPES.join(', ')})`);
  }
  if (claims[CLAIM.version] !== LTI_VERSION) throw refuse('E_LTI_VERSION', `the LTI version ${JSON.stringify(claims[CLAIM.version])} is not ${LTI_VERSION}`);
  requireClaim(claims, 'sub', (v) => typeof v === 'string' && v !== '' && v.length <= 255);
  requireClaim(claims, CLAIM.roles, (v) => Array.isArray(v) && v.every((r) => typeof r === 'string'));
  requireClaim(claims, CLAIM.context, (v) => isObject(v) && typeof v.id === 'string' && v.id !== '');
  if (type === 'LtiResourceLinkRequest') {
    requireClaim(claims, CLAIM.resourceLink, (v) => isObject(v) && typeof v.id === 'string' && v.id !== '');
    requireClaim(claims, CLAIM.targetLinkUri, (v) => typeof v === 'string');
  } else {
    requireClaim(claims, CLAIM.deepLinkingSettings, (v) => isObject(v) && typeof v.deep_link_return_url === 'string');
  }
  return type as LtiMessageType;
}

/** Validates the launch's form post (`id_token`, `state`) against the login it follows. */
export async function validateLaunch(store: LtiStore, keys: PlatformKeys, settings: LtiSettings, form: Record<string, unknown>): Promise<ValidLaunch> {
  const idToken = stringField(form, 'id_token');
  const login = await store.takeLtiLoginState(stringField(form, 'state'));
  if (!login) throw refuse('E_LTI_STATE', 'this launch\'s state is unknown, used already or expired: launch again from the LMS');
  const platform = await store.getLtiPlatform(login.platformId);
  if (!platform) throw refuse('E_LTI_STATE', 'the platform of this launch\'s login is no longer registered');
  const claims = await verifyToken(idToken, platform, keys, settings);
  const nonce = String(claims.nonce);
  // Seen before is a replay whatever the state says: an id token is good for one launch.
  const expiresAt = new Date((Number(claims.exp) + settings.clockToleranceS) * 1000).toISOString();
  if (!(await store.recordLtiNonce(platform.id, nonce, expiresAt))) throw refuse('E_LTI_NONCE_REPLAYED', 'this id token\'s nonce was used by an earlier launch: a replay is refused');
  if (nonce !== login.nonce) throw refuse('E_LTI_NONCE_MISMATCH', 'the id token\'s nonce is not the one this login sent');
  const deploymentId = claims[CLAIM.deploymentId];
  if (typeof deploymentId !== 'string' || !platform.deploymentIds.includes(deploymentId)) {
    throw refuse('E_LTI_DEPLOYMENT', `the deployment id ${JSON.stringify(deploymentId)} is not registered for ${platform.issuer}; an operator adds it with gradebox lti platforms add --deployment-id`);
  }
  return { platform, messageType: checkMessage(claims), deploymentId, claims };
}
