// Every error the API answers with is JSON `{"error": {"code", "message"}}`, with a status that
// fits: a user's mistake is a 4xx that says what was wrong; anything else is a 500 that says
// nothing but a reference, under which the log keeps the detail (no stack or path leaves).
import { randomBytes } from 'node:crypto';

import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from 'pino';

import { UserError } from '../common/errors.js';
import { requestLog } from './request-id.js';

/** A user error with the HTTP status to answer it with. */
export class HttpError extends UserError {
  constructor(readonly status: number, code: string, message: string) {
    super(code, message);
  }
}

/** Statuses of user errors raised elsewhere (store, grading) by their code; others are 400. */
const STATUS_BY_CODE: Record<string, number> = {
  E_NOT_FOUND: 404,
  E_UNAUTHORIZED: 401,
  E_FORBIDDEN: 403,
  E_IDEMPOTENCY_CONFLICT: 409,
  E_ASSIGNMENT_EXISTS: 409,
  E_USER_EXISTS: 409,
  E_TOO_LARGE: 413,
  E_WEBHOOK_DISABLED: 409,
};

function statusOf(error: UserError): number {
  if ('status' in error && typeof error.status === 'number' && error.status >= 400 && error.status < 500) return error.status;
  return STATUS_BY_CODE[error.code] ?? 400;
}

export function sendError(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ error: { code, message } });
}

/**
 * Logs a request's unexpected failure (with its request id) under a new reference, which the
 * answer gives the user in place of any detail; operators find the failure by it.
 */
export function logFailure(res: Response, logger: Logger, error: unknown, fields: Record<string, unknown>, message: string): string {
  const reference = `req_${randomBytes(8).toString('hex')}`;
  requestLog(res, logger).error({ err: error, ...fields, reference }, message);
  return reference;
}

/** The last middleware: turns what routes throw into JSON answers. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) return next(error);
    if (error instanceof UserError) return sendError(res, statusOf(error), error.code, error.message);
    // express's own body parsers: a malformed or oversized JSON body
    const status = (error as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return sendError(res, status, status === 413 ? 'E_TOO_LARGE' : 'E_BAD_REQUEST', (error as Error).message);
    }
    const reference = logFailure(res, logger, error, { method: req.method, url: req.originalUrl }, 'request failed');
    return sendError(res, 500, 'E_INTERNAL', `the server failed to handle this request; it has been logged under the reference ${reference}, which operators can look up`);
  };
}
