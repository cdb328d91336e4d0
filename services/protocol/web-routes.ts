// The dashboard's pages, declared once like the API's routes: the app serves exactly these and the
// API's routes (a test walks its router). They answer HTML for browsers, so they are not part of
// the OpenAPI document, which describes the JSON API under /v1.
import type { HttpRoute } from './http-route.js';

const page = (description: string) => ({ description, content: { type: 'text/html' } });

export const webRoutes = {
  home: {
    method: 'get', path: '/', summary: 'The dashboard; a signed-out browser is sent to the sign-in form',
    responses: { 200: page('The dashboard'), 303: { description: 'To /signin' } },
  },
  signInForm: {
    method: 'get', path: '/signin', summary: 'The sign-in form: fields email, password and csrf',
    responses: { 200: page('The form') },
  },
  signIn: {
    method: 'post', path: '/signin', summary: 'Signs in (application/x-www-form-urlencoded: email, password, csrf): a session cookie, then to the dashboard',
    body: { type: 'application/x-www-form-urlencoded' },
    responses: { 303: { description: 'Signed in' }, 401: page('Wrong email or password'), 403: page('No CSRF token'), 429: page('Too many failed sign-ins') },
  },
  signOut: {
    method: 'post', path: '/signout', summary: 'Ends the session (form field csrf: the session\'s token)',
    body: { type: 'application/x-www-form-urlencoded' },
    responses: { 303: { description: 'To /signin' }, 403: page('No CSRF token') },
  },
} satisfies Record<string, HttpRoute>;
