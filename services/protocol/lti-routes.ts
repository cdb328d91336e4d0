// The LTI 1.3 routes, declared once like the API's (services/protocol/api-routes.ts): the tool
// endpoints a platform calls (login, launch, our public keys), the routes a launch's page uses with
// its launch token, and the operators' routes that register platforms and link LMS courses.
import { z } from 'zod';

import { errorBody, submissionView } from './api-schemas.js';
import type { HttpRoute, RouteContent, RouteResponse } from './http-route.js';
import { courseId, submissionId } from './ids.js';

const json = (schema?: RouteContent['schema']): RouteContent => ({ type: 'application/json', schema });
const html = (description: string): RouteResponse => ({ description, content: { type: 'text/html' } });
const error: RouteResponse = { description: 'What was wrong, and how to fix it', content: json(errorBody) };
const page = (description: string) => html(`${description} (an HTML page that says what was wrong, with its E_LTI_ code)`);
const form = (schema: z.ZodType): RouteContent => ({ type: 'application/x-www-form-urlencoded', schema });

const text = (max: number) => z.string().min(1).max(max);
const url = z.url({ protocol: /^https?$/ });

export const loginParameters = z.object({
  iss: text(2000).describe('The platform\'s issuer'),
  login_hint: text(4000),
  target_link_uri: text(2000),
  lti_message_hint: text(4000).optional(),
  client_id: text(255).optional(),
  lti_deployment_id: text(255).optional(),
});

export const launchForm = z.object({ id_token: text(100_000), state: text(200) });

export const handoffForm = z.object({ handoff: text(200) });

export const deepLinkChoice = z.object({ launch_token: text(200), assignment: text(100) });

export const platformRegistration = z.object({
  issuer: text(2000), client_id: text(255), deployment_id: text(255), auth_url: url, token_url: url, jwks_url: url,
});

export const platformView = z.object({
  id: z.int(), issuer: z.string(), client_id: z.string(), deployment_ids: z.array(z.string()),
  auth_url: z.string(), token_url: z.string(), jwks_url: z.string(), created_at: z.string(),
});

export const contextLink = z.object({ issuer: text(2000), client_id: text(255).optional(), context_id: text(255), course: courseId });

export const passbackView = z.object({
  id: z.int(), submission: submissionId, grade_number: z.int(), student: z.string(), kind: z.enum(['pending', 'graded', 'failed']),
  state: z.enum(['pending', 'delivered', 'failed', 'superseded']), timestamp: z.string(), attempts: z.int(),
  next_attempt_at: z.string(), last_status: z.int().nullable(), last_error: z.string().nullable(),
});

const jwks = z.object({ keys: z.array(z.record(z.string(), z.unknown())) });

export const ltiRoutes = {
  jwks: {
    method: 'get', path: '/.well-known/jwks.json', summary: 'LTI: the tool\'s public keys (JWKS), the current one and the one before a rotation',
    responses: { 200: { description: 'JWK set', content: json(jwks) } },
  },
  loginGet: {
    method: 'get', path: '/lti/login', summary: 'LTI: OIDC third-party-initiated login; redirects to the platform\'s authorization endpoint',
    query: Object.fromEntries(Object.entries(loginParameters.shape).map(([k, v]) => [k, v])),
    responses: { 302: { description: 'To the platform with state and nonce' }, 400: page('A login gradebox cannot start') },
  },
  loginPost: {
    method: 'post', path: '/lti/login', summary: 'LTI: OIDC third-party-initiated login, as a form post',
    body: form(loginParameters),
    responses: { 302: { description: 'To the platform with state and nonce' }, 400: page('A login gradebox cannot start') },
  },
  launch: {
    method: 'post', path: '/lti/launch', summary: 'LTI: the platform\'s id token after the login; answers the learner\'s upload page, the instructor\'s page or the deep-linking picker',
    body: form(launchForm),
    responses: {
      200: html('The page of the launch, holding its launch token'), 400: page('A launch without its id token or state, or a required claim missing'),
      401: page('An id token that does not hold'), 403: page('A role gradebox does not know'), 409: page('The LMS course or item is not linked yet'),
    },
  },
  deepLink: {
    method: 'post', path: '/lti/deep-link', summary: 'LTI: the instructor\'s choice in the deep-linking picker; answers a page that posts the signed response to the platform',
    security: 'ltiLaunch', body: form(deepLinkChoice),
    responses: { 200: html('Posts the LtiDeepLinkingResponse to the platform'), 400: page('No such assignment'), 401: page('No valid launch token') },
  },
  ltiUpload: {
    method: 'post', path: '/lti/v1/submissions', summary: 'LTI: a learner\'s upload from the launch page (the launch names the assignment and the student)',
    security: 'ltiLaunch', body: { type: 'multipart/form-data' },
    responses: { 202: { description: 'Stored and queued', content: json(z.object({ id: submissionId, status: z.string() })) }, 400: error, 401: error, 403: error, 413: error, 415: error, 422: error },
  },
  ltiSubmission: {
    method: 'get', path: '/lti/v1/submissions/{id}', summary: 'LTI: the learner\'s own submission, as a student may see it',
    security: 'ltiLaunch', params: { id: submissionId },
    responses: { 200: { description: 'The submission', content: json(submissionView) }, 401: error, 404: error },
  },
  ltiRoster: {
    method: 'post', path: '/lti/v1/roster', summary: 'LTI: an instructor reads the LMS course\'s roster (NRPS) so portal submissions of its learners pass back too',
    security: 'ltiLaunch',
    responses: { 200: { description: 'Members read', content: json(z.object({ members: z.int(), learners: z.int() })) }, 401: error, 403: error, 409: error, 502: error },
  },
  ltiHandoff: {
    method: 'post', path: '/lti/v1/handoff', summary: 'LTI: an instructor\'s or TA\'s launch page asks for a single-use handoff token (good for 60 s) that opens the dashboard in a new window',
    security: 'ltiLaunch',
    responses: { 200: { description: 'The handoff token', content: json(z.object({ token: z.string(), expires_at: z.string() })) }, 401: error, 403: error },
  },
  handoff: {
    method: 'post', path: '/lti/handoff', summary: 'LTI: redeems a handoff token (form field handoff, posted by gradebox\'s own launch page): a dashboard session, then the course\'s or assignment\'s page',
    body: form(handoffForm),
    responses: { 303: { description: 'Signed in: to the dashboard page of the placement' }, 400: page('No handoff token in the form'), 401: page('A handoff used before, expired or unknown'), 403: page('A post from another site, or an account that may not sign in') },
  },
  platforms: {
    method: 'get', path: '/operator/v1/lti/platforms', summary: 'Operators: the registered LTI platforms', security: 'operatorToken',
    responses: { 200: { description: 'Platforms', content: json(z.array(platformView)) }, 401: error },
  },
  addPlatform: {
    method: 'post', path: '/operator/v1/lti/platforms', summary: 'Operators: register an LTI platform (or add a deployment to it)', security: 'operatorToken',
    body: json(platformRegistration),
    responses: { 201: { description: 'Registered', content: json(platformView) }, 400: error, 401: error },
  },
  linkContext: {
    method: 'post', path: '/operator/v1/lti/contexts', summary: 'Operators: map an LMS course (context) onto a gradebox course', security: 'operatorToken',
    body: json(contextLink),
    responses: { 200: { description: 'Linked', content: json(z.object({ issuer: z.string(), context_id: z.string(), course: z.string() })) }, 400: error, 401: error, 404: error },
  },
  passbacks: {
    method: 'get', path: '/operator/v1/lti/courses/{course}/passbacks', summary: 'Operators: a course\'s grade passbacks, newest first, with their last outcome',
    security: 'operatorToken', params: { course: courseId },
    responses: { 200: { description: 'Deliveries', content: json(z.array(passbackView)) }, 401: error },
  },
} satisfies Record<string, HttpRoute>;
