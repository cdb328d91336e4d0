// OIDC third-party-initiated login (LTI Security Framework 1.0, 5.1.1): the platform names itself
// and the user; gradebox keeps a fresh state and nonce server-side (single use, with a lifetime)
// and sends the browser to the platform's authorization endpoint, which posts the id token to
// /lti/launch. No cookie is set: browsers in an LMS iframe may drop third-party cookies, so the
// state alone (unguessable, used once) ties the launch to this login.
import { randomBytes } from 'node:crypto';

import { UserError } from '../common/errors.js';
import type { LtiStore } from '../store/lti-store.js';
import type { LtiSettings } from './lti-settings.js';

/** The login request's parameters (query for GET, form for POST). */
export type LoginParams = Record<string, unknown>;

function param(params: LoginParams, name: string, required: boolean): string | undefined {
  const value = params[name];
  if (typeof value === 'string' && value !== '') return value;
  if (required) throw new UserError('E_LTI_LOGIN', `the login request has no ${name}; the platform must send iss, login_hint and target_link_uri`);
  return undefined;
}

/** Where the launch must come back to: gradebox's own launch URL. */
export function launchUrl(settings: LtiSettings): string {
  return new URL('/lti/launch', settings.publicUrl).toString();
}

/** The URL of the platform's authorization request for this login. */
export async function startLogin(store: LtiStore, settings: LtiSettings, params: LoginParams): Promise<string> {
  const issuer = param(params, 'iss', true)!;
  const loginHint = param(params, 'login_hint', true)!;
  const target = param(params, 'target_link_uri', true)!;
  const platform = await store.findLtiPlatform(issuer, param(params, 'client_id', false));
  if (!platform) {
    throw new UserError('E_LTI_UNKNOWN_PLATFORM', `no platform with the issuer ${JSON.stringify(issuer)} is registered; an operator adds it with gradebox lti platforms add`);
  }
  // Only our own pages are launched: a login must not send the browser anywhere else.
  if (new URL(target, settings.publicUrl).origin !== new URL(settings.publicUrl).origin) {
    throw new UserError('E_LTI_LOGIN', `target_link_uri ${JSON.stringify(target)} is not a gradebox address (${settings.publicUrl}); fix the tool's URL in the platform`);
  }
  const state = randomBytes(24).toString('base64url');
  const nonce = randomBytes(24).toString('base64url');
  await store.saveLtiLoginState({ state, nonce, platformId: platform.id, expiresAt: new Date(Date.now() + settings.stateTtlMs).toISOString() });
  const auth = new URL(platform.authUrl);
  const query: Record<string, string | undefined> = {
    scope: 'openid', response_type: 'id_token', response_mode: 'form_post', prompt: 'none',
    client_id: platform.clientId, redirect_uri: launchUrl(settings), login_hint: loginHint,
    lti_message_hint: param(params, 'lti_message_hint', false), state, nonce,
  };
  for (const [name, value] of Object.entries(query)) if (value !== undefined) auth.searchParams.set(name, value);
  return auth.toString();
}
