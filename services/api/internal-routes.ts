// The workers' routes: a submission's files and a grader's snapshot as tars, incident evidence
// uploads, and the messages about gradings. Workers are stateless; this is all they need besides Redis.
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';

import express, { Router } from 'express';

import { writeTar, type PackEntry } from '../intake/tar-pack.js';
import { apiRoutes } from '../protocol/api-routes.js';
import { isSha256Hex } from '../protocol/digest.js';
import { isSubmissionId } from '../protocol/ids.js';
import { checkResultMessage, type ResultMessage } from '../protocol/result-message.js';
import type { Store } from '../store/store.js';
import { workerAuth } from './auth.js';
import { HttpError } from './http-errors.js';
import { serveRoute } from './serve-route.js';

export interface InternalRoutesOptions {
  store: Store;
  workerToken: string;
  /** Stores a checked message from a worker; idempotent, as a worker sends again what got no answer. */
  ingest: (message: ResultMessage) => Promise<void>;
  /** Largest evidence archive accepted, bytes. @defaultValue 128 MiB */
  maxEvidenceBytes?: number;
  /** Largest result message accepted, bytes. @defaultValue the store's largest result, and 1 MiB for the rest of the message */
  maxResultBytes?: number;
}

const MiB = 1024 * 1024;

export function internalRoutes({ store, workerToken, ingest, maxEvidenceBytes = 128 * MiB, maxResultBytes = store.maxJsonBytes + MiB }: InternalRoutesOptions): Router {
  const router = Router();
  router.use('/internal', workerAuth(workerToken));

  serveRoute(router, apiRoutes.submissionFiles, async (req, res) => {
    const id = String(req.params.id);
    const submission = isSubmissionId(id) ? await store.getSubmission(id) : null;
    if (!submission) throw new HttpError(404, 'E_NOT_FOUND', `no submission ${id}`);
    const entries: PackEntry[] = [];
    for (const file of await store.listSubmissionFiles(submission.id)) {
      const blob = await store.getBlob(file.sha256);
      if (!blob) throw new Error(`blob ${file.sha256} of ${submission.id} is missing from the store`);
      entries.push(blob.content ? { path: file.path, content: blob.content } : { path: file.path, diskPath: blob.path });
    }
    res.type('application/x-tar');
    await writeTar(entries, res);
  });

  // The grader's snapshot, the tar `gradebox assignments add` stored: never the instructor's folder.
  serveRoute(router, apiRoutes.grader, async (req, res) => {
    const digest = String(req.params.digest);
    const snapshot = isSha256Hex(digest) ? await store.findGraderSnapshot(digest) : null;
    if (!snapshot) {
      throw new HttpError(404, 'E_NOT_FOUND', `no grader snapshot with digest ${digest}; an assignment added before graders were snapshotted must be added again (gradebox assignments add)`);
    }
    const blob = await store.getBlob(snapshot.blobSha256);
    if (!blob) throw new Error(`blob ${snapshot.blobSha256} of grader snapshot ${digest} is missing from the store`);
    res.type('application/x-tar').set('content-length', String(blob.size));
    if (blob.content) res.end(blob.content);
    else await pipeline(createReadStream(blob.path), res);
  });

  // A 4xx tells the worker not to send the message again; a 5xx (the store busy) that it may.
  serveRoute(router, apiRoutes.results, express.json({ limit: maxResultBytes }), async (req, res) => {
    const checked = checkResultMessage(req.body);
    if ('problem' in checked) throw new HttpError(400, 'E_BAD_RESULT', checked.problem);
    await ingest(checked.message);
    res.status(204).end();
  });

  serveRoute(router, apiRoutes.evidence, async (req, res) => {
    const sha256 = String(req.params.sha256);
    if (!isSha256Hex(sha256)) throw new HttpError(400, 'E_BAD_DIGEST', 'the evidence is named by its sha256: 64 lowercase hex digits');
    // A declared length is checked up front; a chunked body is capped by the store as it streams.
    const length = Number(req.get('content-length') ?? 0);
    if (length > maxEvidenceBytes) throw new HttpError(413, 'E_TOO_LARGE', `evidence is at most ${maxEvidenceBytes} bytes; this is ${length}`);
    await store.putBlob(req, sha256);
    res.status(204).end();
  });
  return router;
}
