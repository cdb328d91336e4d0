// The operators' routes (the operators' token): the metrics, and a submission's whole record,
// which students never see (failure details, internal problems, incidents).
import { Router } from 'express';

import { apiRoutes } from '../protocol/api-routes.js';
import { isSubmissionId } from '../protocol/ids.js';
import type { Store } from '../store/store.js';
import { operatorAuth } from './auth.js';
import { HttpError } from './http-errors.js';
import type { ApiMetrics } from './metrics.js';
import { operatorRecord } from './operator-record.js';
import { serveRoute } from './serve-route.js';

export interface OperatorRoutesOptions {
  store: Store;
  metrics: ApiMetrics;
  operatorToken: string;
}

export function operatorRoutes({ store, metrics, operatorToken }: OperatorRoutesOptions): Router {
  const router = Router();
  const auth = operatorAuth(operatorToken);
  serveRoute(router, apiRoutes.metrics, auth, async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  serveRoute(router, apiRoutes.operatorSubmission, auth, async (req, res) => {
    const id = String(req.params.id);
    const submission = isSubmissionId(id) ? await store.getSubmission(id) : null;
    if (!submission) throw new HttpError(404, 'E_NOT_FOUND', `no submission ${id}`);
    res.json(await operatorRecord(store, submission));
  });
  return router;
}
