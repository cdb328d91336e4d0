// The dashboard's pages and its two static files, declared once like the API's routes (the app
// serves exactly these, web-routes.ts' and the API's: a test walks its router). They answer HTML
// for a signed-in browser (a signed-out one is sent to /signin) and are not in the OpenAPI
// document: the pages read the JSON API under /v1, which is.
import type { HttpRoute } from './http-route.js';

const page = (description: string) => ({
  200: { description, content: { type: 'text/html' } },
  303: { description: 'Signed out: to /signin?next=…' },
  403: { description: 'The person\'s role does not allow it', content: { type: 'text/html' } },
  404: { description: 'No such thing (or not in the person\'s courses)', content: { type: 'text/html' } },
});

export const dashboardRoutes = {
  course: { method: 'get', path: '/courses/{course}', summary: 'A course: its assignments, counts by verdict, histograms of scores', responses: page('The course') },
  assignment: {
    method: 'get', path: '/courses/{course}/assignments/{name}', summary: 'An assignment: grader, tests, self-test, controls, submissions with filters',
    responses: page('The assignment'),
  },
  incidents: { method: 'get', path: '/courses/{course}/incidents', summary: 'A course\'s incidents and their triage states', responses: page('The incidents') },
  people: { method: 'get', path: '/courses/{course}/people', summary: 'A course\'s keys and people', responses: page('Keys and people') },
  submission: { method: 'get', path: '/submissions/{id}', summary: 'One submission: files, results test by test, incident banner', responses: page('The submission') },
  incident: { method: 'get', path: '/incidents/{id}', summary: 'One incident: offender, audit lines, evidence, triage', responses: page('The incident') },
  queue: { method: 'get', path: '/queue', summary: 'The queue and the workers, live', responses: page('The queue') },
  asset: {
    method: 'get', path: '/static/{file}', summary: 'The dashboard\'s style sheet and script (dashboard.css, dashboard.js)',
    responses: { 200: { description: 'The file', content: { type: 'text/css' } }, 404: { description: 'No such file' } },
  },
} satisfies Record<string, HttpRoute>;
