// The API's OpenAPI 3.1 document, served at /openapi.json. Kept by hand next to the routes it
// describes; the API tests check that every route they call is in it.
const error = {
  description: 'What was wrong, and how to fix it',
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
};
const bearer = [{ courseKey: [] }];
const operator = [{ operatorToken: [] }];
const submissionId = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^sub_[A-Za-z0-9_-]+$' } };
const assignmentName = { name: 'name', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$' } };
const limited = {
  description: 'Over this course key\'s limit: wait the Retry-After seconds',
  headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait before sending it again' } },
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
};
const assignment = { description: 'The assignment', content: { 'application/json': { schema: { $ref: '#/components/schemas/Assignment' } } } };

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
      operatorToken: { type: 'http', scheme: 'bearer', description: 'The operators\' token: GRADEBOX_OPERATOR_TOKEN, or the file operator-token in the data folder' },
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
          error: {
            type: ['string', 'null'],
            description: 'Why the submission could not be graded (status error): the student\'s own mistake, or a sentence saying it was not theirs with error_reference',
          },
          error_reference: { type: ['string', 'null'], description: 'Under which operators find the failure\'s detail (status error): `<submission>.<grade number>`' },
          result: {
            description: 'The grading result as the student may see it now (a superset of Gradescope\'s results.json): hidden tests show only their score; after_due_date tests nothing before the due date, after_published tests nothing before the release, and while any is withheld score and verdict are null',
            oneOf: [{ type: 'null' }, { $ref: '#/components/schemas/Result' }],
          },
        },
      },
      Result: {
        type: 'object',
        required: ['score', 'max_score', 'tests', 'verdict', 'gradable', 'provenance', 'withheld'],
        properties: {
          score: { type: ['number', 'null'], description: 'Null while tests are withheld' },
          max_score: { type: 'number' }, execution_time: { type: 'number' }, output: { type: 'string' },
          verdict: { type: ['string', 'null'], enum: ['AC', 'WA', 'TLE', 'MLE', 'OLE', 'RE', 'CE', 'SV', 'IE', null], description: 'Null while tests are withheld' },
          gradable: { type: 'boolean' },
          tests: { type: 'array', items: { type: 'object', required: ['name', 'score', 'max_score', 'status', 'visibility'] } },
          withheld: {
            type: 'object', required: ['after_due_date', 'after_published'], description: 'Tests left out for now, by the visibility that withholds them',
            properties: { after_due_date: { type: 'integer' }, after_published: { type: 'integer' } },
          },
          provenance: { type: 'object' },
        },
      },
      Assignment: {
        type: 'object', required: ['name', 'due_at', 'feedback_released', 'feedback_released_at', 'updated_at'],
        properties: {
          name: { type: 'string' },
          due_at: { type: ['string', 'null'], format: 'date-time', description: 'after_due_date tests are withheld until then; null: no due date (withheld)' },
          feedback_released: { type: 'boolean', description: 'after_published tests are withheld until released' },
          feedback_released_at: { type: ['string', 'null'], format: 'date-time' },
          updated_at: { type: 'string', format: 'date-time' },
        },
      },
      AssignmentChange: {
        type: 'object', additionalProperties: false, minProperties: 1,
        properties: {
          due_at: { type: ['string', 'null'], description: 'ISO-8601 with its zone (2026-05-01T23:59:00+02:00), or null for no due date' },
          feedback_released: { type: 'boolean', description: 'true releases the after_published feedback now; false withholds it again' },
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
          400: error, 401: error, 404: error, 409: error, 413: error, 415: error, 422: error, 429: limited, 503: error,
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
        summary: 'Server-sent events as the submission progresses (queued, running, graded, error), shown as the student may see them now', security: bearer, parameters: [submissionId,
          { name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'string' }, description: 'Resume after this event' }],
        responses: {
          200: { description: 'An event stream; it ends after graded or error, or after its longest life (resume with Last-Event-ID)', content: { 'text/event-stream': {} } },
          401: error, 404: error, 429: { ...limited, description: 'This course key holds its most open streams' },
        },
      },
    },
    '/v1/submissions/{id}/regrade': {
      post: {
        summary: 'Grade the submission again (queued below fresh submissions)', security: bearer, parameters: [submissionId],
        responses: { 202: { description: 'Queued again', content: { 'application/json': { schema: { $ref: '#/components/schemas/Accepted' } } } }, 401: error, 404: error, 429: limited },
      },
    },
    '/v1/assignments/{name}': {
      get: { summary: 'An assignment\'s due date and feedback release', security: bearer, parameters: [assignmentName], responses: { 200: assignment, 401: error, 404: error } },
      patch: {
        summary: 'Set the due date and/or release the feedback: what students see changes at once, nothing is regraded', security: bearer, parameters: [assignmentName],
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/AssignmentChange' } } } },
        responses: { 200: assignment, 400: error, 401: error, 404: error },
      },
    },
    '/healthz': { get: { summary: 'The process is alive', responses: { 200: { description: 'ok' } } } },
    '/readyz': { get: { summary: 'The store and the queue answer', responses: { 200: { description: 'ready' }, 503: error } } },
    '/metrics': { get: { summary: 'Prometheus metrics', security: operator, responses: { 200: { description: 'text exposition format', content: { 'text/plain': {} } }, 401: error } } },
    '/operator/v1/submissions/{id}': {
      get: {
        summary: 'Operators: a submission\'s whole record (every grading\'s result or failure detail under its reference, incidents, events)', security: operator, parameters: [submissionId],
        responses: { 200: { description: 'The record', content: { 'application/json': {} } }, 401: error, 404: error },
      },
    },
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
