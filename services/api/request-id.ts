// Each request's id: the client's (or its proxy's) `X-Request-Id` when it is a plain, short one,
// else a new UUID; echoed in the answer and bound to the request's logger, and stored with what
// the request queues, so the worker's log lines of a grading carry it too (protocol/request-id.ts).
import { randomUUID } from 'node:crypto';

import type { RequestHandler, Response } from 'express';
import type { Logger } from 'pino';

import { InternalError } from '../common/errors.js';
import { isRequestId } from '../protocol/request-id.js';

export const REQUEST_ID_HEADER = 'X-Request-Id';

interface RequestLocals {
  requestId?: string;
  log?: Logger;
}

/** The first middleware: sets the request's id and logger. A hostile header is dropped, never logged (it may be anything). */
export function requestIds(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const sent = req.get(REQUEST_ID_HEADER);
    const id = isRequestId(sent) ? sent : randomUUID();
    res.set(REQUEST_ID_HEADER, id);
    const locals = res.locals as RequestLocals;
    locals.requestId = id;
    locals.log = logger.child({ request_id: id });
    next();
  };
}

function notMounted(): never {
  throw new InternalError('E_NO_REQUEST_ID', 'requestIds() is not mounted before this route (services/api/api-server.ts)');
}

/** The id {@link requestIds} gave the request. */
export function requestIdOf(res: Response): string {
  return (res.locals as RequestLocals).requestId ?? notMounted();
}

/** The request's logger (its lines carry `request_id`); `fallback`, if given, where {@link requestIds} did not run. */
export function requestLog(res: Response, fallback?: Logger): Logger {
  return (res.locals as RequestLocals).log ?? fallback ?? notMounted();
}
