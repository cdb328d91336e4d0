// LTI 1.3 login and launch against a platform simulated on loopback (its own keys and JWKS, id
// tokens signed with jose): the login's authorization request, a good launch and its upload page,
// one refusal per validation rule, a platform's key rotation, the mapping of contexts and resource
// links, and deep linking (the signed response verified with gradebox's published keys).
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { CLAIM } from '../../services/lti/lti-claims.js';
import { ASSIGNMENT, COURSE, type TestApi } from '../support/api-fixtures.js';
import { platformKey, type SimulatedPlatform } from '../support/lti-platform.js';
import { CONTEXT, INSTRUCTOR, launch, learnerClaims, login, ltiApiPerFile, ltiUpload, postLaunch } from './lti-fixtures.js';

let api: TestApi;
let platform: SimulatedPlatform;

// No JWKS cooldown: the rotation test's unknown kid fetches the set again at once.
ltiApiPerFile(test, { lti: { jwksCooldownMs: 0 } }, (started, connected) => { api = started; platform = connected; });

test('jwks: gradebox publishes an RS256 public key (no private part)', async () => {
  const jwks = await (await fetch(`${api.url}/.well-known/jwks.json`)).json() as JSONWebKeySet;
  assert.is(jwks.keys.length, 1);
  assert.is(jwks.keys[0]!.kty, 'RSA');
  assert.is(jwks.keys[0]!.alg, 'RS256');
  assert.ok(jwks.keys[0]!.kid);
  assert.is(jwks.keys[0]!.d, undefined, 'no private exponent');
});

test('login (GET and POST): the authorization request carries a fresh state and nonce, our redirect URL and the hints', async () => {
  const { status, params } = await login(api, platform);
  assert.is(status, 302);
  assert.equal(Object.fromEntries(['scope', 'response_type', 'response_mode', 'prompt', 'client_id', 'redirect_uri', 'login_hint', 'lti_message_hint'].map((k) => [k, params.get(k)])), {
    scope: 'openid', response_type: 'id_token', response_mode: 'form_post', prompt: 'none', client_id: platform.clientId,
    redirect_uri: `${api.url}/lti/launch`, login_hint: 'opaque-user', lti_message_hint: 'msg-hint',
  });
  assert.ok(params.get('state')!.length >= 32 && params.get('nonce')!.length >= 32);
  const again = await login(api, platform);
  assert.is.not(again.params.get('state'), params.get('state'));
  const posted = await fetch(`${api.url}/lti/login`, {
    method: 'POST', redirect: 'manual',
    body: new URLSearchParams({ iss: platform.issuer, login_hint: 'u', target_link_uri: `${api.url}/lti/launch` }),
  });
  assert.is(posted.status, 302);
  assert.ok(posted.headers.get('location')!.startsWith(`${platform.url}/auth?`));
  assert.is(posted.headers.get('set-cookie'), null, 'no cookie: an LMS iframe may not keep it');
});

test('login refusals: an unknown issuer, a target outside gradebox', async () => {
  const unknown = await login(api, platform, { iss: 'https://lms.unknown.example', client_id: 'x' });
  assert.is(unknown.status, 400);
  const elsewhere = await fetch(`${api.url}/lti/login?${new URLSearchParams({ iss: platform.issuer, login_hint: 'u', target_link_uri: 'https://evil.example/steal' })}`, { redirect: 'manual' });
  assert.is(elsewhere.status, 400);
  assert.match(await elsewhere.text(), 'E_LTI_LOGIN');
});

test('a good launch: the learner gets the upload page, uploads with the launch token as their sub, and reads only their own submission', async () => {
  const launched = await launch(api, platform, learnerClaims(api, platform));
  assert.is(launched.status, 200, launched.text);
  assert.match(launched.text, ASSIGNMENT);
  assert.ok(launched.token, 'the page holds a launch token');
  const sent = await ltiUpload(api, launched.token!);
  assert.is(sent.status, 202, JSON.stringify(sent.body));
  const submission = await api.store.getSubmission(sent.body.id!);
  assert.is(submission!.student, 'learner-1');
  assert.is(submission!.assignmentName, ASSIGNMENT);
  const own = await fetch(`${api.url}/lti/v1/submissions/${submission!.id}`, { headers: { authorization: `Bearer ${launched.token}` } });
  assert.is(own.status, 200);
  assert.is((await own.json() as { student: string }).student, 'learner-1');
  const other = await launch(api, platform, learnerClaims(api, platform, 'learner-2'));
  const notTheirs = await fetch(`${api.url}/lti/v1/submissions/${submission!.id}`, { headers: { authorization: `Bearer ${other.token}` } });
  assert.is(notTheirs.status, 404);
  const noToken = await fetch(`${api.url}/lti/v1/submissions/${submission!.id}`);
  assert.is(noToken.status, 401);
});

/** Launches with `claims` changed (or signed differently) and expects the refusal `code` with `status`. */
async function refused(code: string, status: number, claims: Record<string, unknown>, sign: Parameters<SimulatedPlatform['sign']>[1] = {}): Promise<void> {
  const launched = await launch(api, platform, { ...learnerClaims(api, platform), ...claims }, sign);
  assert.is(launched.status, status, `${code}: ${launched.text}`);
  assert.match(launched.text, code);
  assert.is(launched.token, null, 'no launch token');
}

test('bad signature: a token signed by another key under the platform\'s kid', async () => {
  const forger = await platformKey();
  await refused('E_LTI_SIGNATURE', 401, {}, { key: forger.privateKey });
});

test('unknown kid: a key the platform never published', async () => {
  const forger = await platformKey('not-published');
  await refused('E_LTI_SIGNATURE', 401, {}, { key: forger.privateKey, kid: forger.kid });
});

test('wrong aud: a token for another tool', async () => {
  await refused('E_LTI_AUDIENCE', 401, { aud: 'another-client' });
  await refused('E_LTI_AUDIENCE', 401, { aud: [platform.clientId, 'another-client'] }); // several audiences without azp
  await refused('E_LTI_AUDIENCE', 401, { azp: 'another-client' });
});

test('wrong iss: a token of another issuer after this platform\'s login', async () => {
  await refused('E_LTI_ISSUER', 401, { iss: 'https://other-lms.example' });
});

test('expired: exp past the clock tolerance', async () => {
  const now = Math.floor(Date.now() / 1000);
  await refused('E_LTI_EXPIRED', 401, {}, { issuedAt: now - 3600, expiresIn: now - 120 });
});

test('iat in the future beyond the tolerance', async () => {
  await refused('E_LTI_IAT', 401, {}, { issuedAt: Math.floor(Date.now() / 1000) + 600, expiresIn: '20m' });
});

test('replayed nonce: the same id token with a fresh state is refused, and the same form again finds its state used', async () => {
  const first = await launch(api, platform, learnerClaims(api, platform));
  assert.is(first.status, 200);
  const fresh = await login(api, platform);
  const replay = await postLaunch(api, { id_token: first.form.id_token, state: fresh.params.get('state')! });
  assert.is(replay.status, 401);
  assert.match(replay.text, 'E_LTI_NONCE_REPLAYED');
  const again = await postLaunch(api, first.form);
  assert.is(again.status, 401);
  assert.match(again.text, 'E_LTI_STATE');
});

test('a nonce other than the login\'s is refused', async () => {
  await refused('E_LTI_NONCE_MISMATCH', 401, { nonce: 'not-the-logins-nonce' });
});

test('unknown deployment', async () => {
  await refused('E_LTI_DEPLOYMENT', 401, { [CLAIM.deploymentId]: 'deployment-unknown' });
});

test('wrong message type, wrong version, a required claim missing', async () => {
  await refused('E_LTI_MESSAGE_TYPE', 401, { [CLAIM.messageType]: 'LtiSubmissionReviewRequest' });
  await refused('E_LTI_VERSION', 401, { [CLAIM.version]: '1.1' });
  await refused('E_LTI_CLAIM', 400, { [CLAIM.resourceLink]: undefined });
  await refused('E_LTI_CLAIM', 400, { [CLAIM.roles]: 'Learner' });
});

test('a launch without its form fields is a 400 page', async () => {
  const { status, text } = await postLaunch(api, { state: 'x' });
  assert.is(status, 400);
  assert.match(text, 'E_LTI_LAUNCH');
});

test('the platform rotates its key: the unknown kid fetches its JWKS again and the launch holds', async () => {
  const fetchesBefore = platform.requestsTo('/jwks').length;
  await platform.rotate();
  const launched = await launch(api, platform, learnerClaims(api, platform));
  assert.is(launched.status, 200, launched.text);
  assert.is(platform.requestsTo('/jwks').length, fetchesBefore + 1);
  assert.match(String(platform.requestsTo('/jwks').at(-1)!.headers['user-agent']), 'gradebox-lti');
});

test('contexts: a learner in an unlinked LMS course is told to wait; the instructor\'s first launch makes the course and links it', async () => {
  const elsewhere = { [CLAIM.context]: { id: 'ctx-new', title: 'Algorithms' } };
  await refused('E_LTI_CONTEXT_UNLINKED', 409, elsewhere);
  const instructor = await launch(api, platform, { ...learnerClaims(api, platform, 'teacher-1'), ...elsewhere, [CLAIM.roles]: [INSTRUCTOR], [CLAIM.custom]: {} });
  assert.is(instructor.status, 200, instructor.text);
  const registered = (await api.store.findLtiPlatform(platform.issuer))!;
  const context = await api.store.findLtiContext(registered.id, 'ctx-new');
  assert.match(context!.courseId, /^lti-[0-9a-f]{12}$/);
  assert.is((await api.store.getCourse(context!.courseId))!.name, 'Algorithms');
  assert.match(instructor.text, 'not tied to an assignment yet');
});

test('resource links: a custom assignment the course lacks is named; a learner of a placement without assignment is told so', async () => {
  await refused('E_LTI_UNKNOWN_ASSIGNMENT', 409, { [CLAIM.custom]: { assignment: 'no-such' } });
  await refused('E_LTI_NO_ASSIGNMENT', 409, { [CLAIM.custom]: {}, [CLAIM.resourceLink]: { id: 'rl-unplaced' } });
  await refused('E_LTI_ROLE', 403, { [CLAIM.roles]: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor'] });
});

test('deep linking: the instructor picks an assignment; the response is signed by gradebox\'s key for the platform and places it with custom assignment=NAME', async () => {
  const request = {
    ...learnerClaims(api, platform, 'teacher-1'), [CLAIM.roles]: [INSTRUCTOR], [CLAIM.messageType]: 'LtiDeepLinkingRequest',
    [CLAIM.resourceLink]: undefined, [CLAIM.custom]: undefined,
    [CLAIM.deepLinkingSettings]: { deep_link_return_url: `${platform.url}/deep_link_return`, accept_types: ['ltiResourceLink'], data: 'opaque-data' },
  };
  const picker = await launch(api, platform, request);
  assert.is(picker.status, 200, picker.text);
  assert.match(picker.text, `value="${ASSIGNMENT}"`);
  const chosen = await fetch(`${api.url}/lti/deep-link`, { method: 'POST', body: new URLSearchParams({ launch_token: picker.token!, assignment: ASSIGNMENT }) });
  const page = await chosen.text();
  assert.is(chosen.status, 200, page);
  assert.match(page, `action="${platform.url}/deep_link_return"`);
  const jwt = /name="JWT" value="([^"]+)"/.exec(page)![1]!;
  const jwks = await (await fetch(`${api.url}/.well-known/jwks.json`)).json() as JSONWebKeySet;
  const { payload } = await jwtVerify(jwt, createLocalJWKSet(jwks), { issuer: platform.clientId, audience: platform.issuer });
  assert.is(payload[CLAIM.messageType], 'LtiDeepLinkingResponse');
  assert.is(payload[CLAIM.version], '1.3.0');
  assert.is(payload[CLAIM.deploymentId], platform.deploymentId);
  assert.is(payload[CLAIM.deepLinkingData], 'opaque-data');
  assert.equal(payload[CLAIM.contentItems], [{ type: 'ltiResourceLink', title: ASSIGNMENT, url: `${api.url}/lti/launch`, custom: { assignment: ASSIGNMENT } }]);
  const learnerToken = (await launch(api, platform, learnerClaims(api, platform))).token!;
  const refusedChoice = await fetch(`${api.url}/lti/deep-link`, { method: 'POST', body: new URLSearchParams({ launch_token: learnerToken, assignment: ASSIGNMENT }) });
  assert.is(refusedChoice.status, 400, 'a resource-link launch cannot answer a deep-linking request');
  assert.is((await fetch(`${api.url}/lti/deep-link`, { method: 'POST', body: new URLSearchParams({ launch_token: 'ltl_nope', assignment: ASSIGNMENT }) })).status, 401);
});

test('the course stays the linked one: the learner\'s launch of the linked context maps to the test course', async () => {
  const registered = (await api.store.findLtiPlatform(platform.issuer))!;
  assert.is((await api.store.findLtiContext(registered.id, CONTEXT))!.courseId, COURSE);
});

test.run();
