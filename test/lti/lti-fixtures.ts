// What the LTI tests share: a platform registered with a test API and its LMS course linked to the
// test course, and a launch as a browser makes it (login at gradebox, the platform's id token
// posted back with the login's state), with claims a test can change.
import { uploadSubmission, type UploadAnswer } from '../../services/bench/portal-client.js';
import { CLAIM } from '../../services/lti/lti-claims.js';
import type { Test } from 'uvu';

import { ASSIGNMENT, COURSE, testApiPerFile, type TestApi, type TestApiOptions } from '../support/api-fixtures.js';
import { SimulatedPlatform } from '../support/lti-platform.js';

export const LEARNER = 'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner';
export const INSTRUCTOR = 'http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor';
export const CONTEXT = 'ctx-101';

export async function connectedPlatform(api: TestApi): Promise<SimulatedPlatform> {
  const platform = new SimulatedPlatform();
  await platform.start();
  platform.toolUrl = () => api.url;
  const registered = await api.store.addLtiPlatform(platform.registration());
  await api.store.linkLtiContext(registered.id, CONTEXT, COURSE, 'CS 101');
  return platform;
}

/** One API (with `options`) and a platform connected to it for a whole test file, both stopped after it. */
export function ltiApiPerFile(suite: Test, options: TestApiOptions, started: (api: TestApi, platform: SimulatedPlatform) => void): void {
  let platform: SimulatedPlatform | undefined;
  testApiPerFile(suite, async (api) => {
    platform = await connectedPlatform(api);
    started(api, platform);
  }, options);
  suite.after(async () => { await platform?.stop(); });
}

export interface Login {
  status: number;
  /** The authorization request's parameters. */
  params: URLSearchParams;
}

export async function login(api: TestApi, platform: SimulatedPlatform, extra: Record<string, string> = {}): Promise<Login> {
  const query = new URLSearchParams({ iss: platform.issuer, login_hint: 'opaque-user', target_link_uri: `${api.url}/lti/launch`, client_id: platform.clientId, lti_message_hint: 'msg-hint', ...extra });
  const response = await fetch(`${api.url}/lti/login?${query}`, { redirect: 'manual' });
  await response.arrayBuffer();
  const location = response.headers.get('location');
  return { status: response.status, params: location ? new URL(location).searchParams : new URLSearchParams() };
}

/** The claims of a learner's resource-link launch of the test assignment. */
export function learnerClaims(api: TestApi, platform: SimulatedPlatform, sub = 'learner-1'): Record<string, unknown> {
  return {
    sub, name: 'Ada Lovelace', email: 'ada@example.edu',
    [CLAIM.messageType]: 'LtiResourceLinkRequest', [CLAIM.version]: '1.3.0', [CLAIM.deploymentId]: platform.deploymentId,
    [CLAIM.targetLinkUri]: `${api.url}/lti/launch`,
    [CLAIM.resourceLink]: { id: 'rl-sum', title: 'Sum two numbers' },
    [CLAIM.roles]: [LEARNER],
    [CLAIM.context]: { id: CONTEXT, title: 'CS 101', label: 'CS101' },
    [CLAIM.custom]: { assignment: ASSIGNMENT },
  };
}

export interface Launched {
  status: number;
  text: string;
  /** The launch token the page holds, when it holds one. */
  token: string | null;
  /** The id token and state posted (a test replays them). */
  form: { id_token: string; state: string };
}

export async function postLaunch(api: TestApi, form: Record<string, string>): Promise<{ status: number; text: string }> {
  const response = await fetch(`${api.url}/lti/launch`, { method: 'POST', body: new URLSearchParams(form) });
  return { status: response.status, text: await response.text() };
}

/** Logs in, signs `claims` (with the login's nonce unless they carry one) and posts the launch. */
export async function launch(api: TestApi, platform: SimulatedPlatform, claims: Record<string, unknown>, sign: Parameters<SimulatedPlatform['sign']>[1] = {}): Promise<Launched> {
  const { params } = await login(api, platform);
  const idToken = await platform.sign({ nonce: params.get('nonce'), ...claims }, sign);
  const form = { id_token: idToken, state: params.get('state')! };
  const { status, text } = await postLaunch(api, form);
  return { status, text, token: /ltl_[A-Za-z0-9_-]+/.exec(text)?.[0] ?? null, form };
}

/** A learner's upload from the launch page: the launch token names the assignment and the student. */
export function ltiUpload(api: TestApi, token: string): Promise<UploadAnswer> {
  // The portal client posts to {url}/v1/submissions: the LTI route is /lti/v1/submissions.
  return uploadSubmission({ url: `${api.url}/lti`, key: token }, {}, { 'main.c': 'int main(void) { return 0; }\n' });
}
