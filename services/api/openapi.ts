// The API's OpenAPI 3.1 document, served at /openapi.json. Kept by hand next to the routes it
// describes; the API tests check that every route they call is in it.
const error = {
  description: 'What was wrong, and how to fix it',
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
};
const bearer = [{ courseKey: [] }];
const submissionId = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^sub_[A-Za-z0-9_-]+$' } };

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'gradebox',
    version: '1',
    description: 'Submissions in, grades out: every submission is graded in a sandbox against its assignment\'s grader.',
  },
  components: {
    securitySchemes: {
      courseKey: { type: 'http', scheme: 'bearer', description: 'A course key from `gradebox keys create --course C`' },
      workerToken: { type: 'http', scheme: 'bearer', description: 'The workers\' shared token (internal routes only)' },
    },
    schemas: {
      Error: {
        type: 'object', required: ['error'],
        properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } } },
      },
      Accepted: {
        type: 'object', required: ['id', 'status'],
        properties: { id: { type: 'string' }, status: { type: 'string', enum: ['queued'] } },
      },
      Submission: {
        type: 'object', required: ['id', 'status', 'result'],
        properties: {
          id: { type: 'string' },
          status: { type: 'string', enum: ['queued', 'running', 'graded', 'error'] },
          assignment: { type: 'string' },
          student: { type: 'string' },
          created_at: { type: 'string', format: 'date-time' },
          updated_at: { type: 'string', format: 'date-time', description: 'Last change of status: when it was graded, once graded' },
          error: { type: ['string', 'null'], description: 'Why the submission could not be graded (status error)' },
          result: {
            description: 'The grading result, a superset of Gradescope\'s results.json; hidden tests show only their score',
            oneOf: [{ type: 'null' }, { $ref: '#/components/schemas/Result' }],
          },
        },
      },
      Result: {
        type: 'object',
        required: ['score', 'max_score', 'tests', 'verdict', 'gradable', 'provenance'],
        properties: {
          score: { type: 'number' }, max_score: { type: 'number' }, execution_time: { type: 'number' }, output: { type: 'string' },
          verdict: { type: 'string', enum: ['AC', 'WA', 'TLE', 'MLE', 'OLE', 'RE', 'CE', 'SV', 'IE'] },
          gradable: { type: 'boolean' },
          tests: { type: 'array', items: { type: 'object', required: ['name', 'score', 'max_score', 'status', 'visibility'] } },
          provenance: { type: 'object' },
        },
      },
    },
  },
  paths: {
    '/v1/submissions': {
      post: {
        summary: 'Upload a submission', security: bearer,
        parameters: [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 200 }, description: 'The same key twice gives one submission' }],
        requestBody: {
          required: true,
          content: {
            'multipart/form-data': {
              schema: {
                type: 'object', required: ['assignment', 'student'],
                properties: {
                  assignment: { type: 'string' }, student: { type: 'string' },
                  files: { type: 'array', items: { type: 'string', format: 'binary' }, description: 'Source files, or exactly one .zip / .tar.gz' },
                },
              },
            },
          },
        },
        responses: {
          202: { description: 'Stored and queued', content: { 'application/json': { schema: { $ref: '#/components/schemas/Accepted' } } } },
          400: error, 401: error, 404: error, 409: error, 413: error, 415: error, 422: error, 503: error,
        },
      },
    },
    '/v1/submissions/{id}': {
      get: {
        summary: 'A submission and its result', security: bearer, parameters: [submissionId],
        responses: { 200: { description: 'The submission', content: { 'application/json': { schema: { $ref: '#/components/schemas/Submission' } } } }, 401: error, 404: error },
      },
    },
    '/v1/submissions/{id}/events': {
      get: {
        summary: 'Server-sent events as the submission progresses (queued, running, graded, error)', security: bearer, parameters: [submissionId,
          { name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'string' }, description: 'Resume after this event' }],
        responses: { 200: { description: 'An event stream; it ends after graded or error', content: { 'text/event-stream': {} } }, 401: error, 404: error },
      },
    },
    '/v1/submissions/{id}/regrade': {
      post: {
        summary: 'Grade the submission again (queued below fresh submissions)', security: bearer, parameters: [submissionId],
        responses: { 202: { description: 'Queued again', content: { 'application/json': { schema: { $ref: '#/components/schemas/Accepted' } } } }, 401: error, 404: error },
      },
    },
    '/healthz': { get: { summary: 'The process is alive', responses: { 200: { description: 'ok' } } } },
    '/readyz': { get: { summary: 'The store and the queue answer', responses: { 200: { description: 'ready' }, 503: error } } },
    '/metrics': { get: { summary: 'Prometheus metrics', responses: { 200: { description: 'text exposition format', content: { 'text/plain': {} } } } } },
    '/openapi.json': { get: { summary: 'This document', responses: { 200: { description: 'OpenAPI 3.1' } } } },
    '/internal/v1/submissions/{id}/files': {
      get: { summary: 'Workers: a submission\'s files as a tar', security: [{ workerToken: [] }], parameters: [submissionId], responses: { 200: { description: 'application/x-tar' }, 401: error, 404: error } },
    },
    '/internal/v1/graders/{digest}': {
      get: { summary: 'Workers: a grader folder as a tar', security: [{ workerToken: [] }], parameters: [{ name: 'digest', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9a-f]{64}$' } }], responses: { 200: { description: 'application/x-tar' }, 401: error, 404: error } },
    },
    '/internal/v1/results': {
      post: { summary: 'Workers: a message about a grading (started, finished, failed); a grading\'s outcome is stored once', security: [{ workerToken: [] }], requestBody: { required: true, content: { 'application/json': {} } }, responses: { 204: { description: 'stored (or already had)' }, 400: error, 401: error, 404: error, 413: error } },
    },
    '/internal/v1/evidence/{sha256}': {
      put: { summary: 'Workers: store an incident\'s evidence archive', security: [{ workerToken: [] }], parameters: [{ name: 'sha256', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9a-f]{64}$' } }], responses: { 204: { description: 'stored' }, 400: error, 401: error, 413: error } },
    },
  },
} as const;
