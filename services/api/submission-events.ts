// Server-sent events of one submission: every stored event after Last-Event-ID, in order, then
// new ones as they are stored, until the current grading is graded or has failed, or the stream
// has been open its longest (the client then resumes with Last-Event-ID). Events are shown as a
// student may see them (student-submission.ts).
import type { Request, Response } from 'express';

import { eventCursor } from '../protocol/api-schemas.js';
import type { Store, StoreEvent, Submission } from '../store/store.js';
import { studentEventData } from './student-submission.js';

const POLL_MS = 200;
const HEARTBEAT_MS = 15_000;

/** Where the stream resumes: Last-Event-ID, else `?after=`; from the start when neither is a usable id. */
function lastEventId(req: Request): number {
  const parsed = eventCursor.safeParse(req.get('last-event-id') ?? req.query.after ?? 0);
  return parsed.success ? parsed.data : 0;
}

/**
 * graded/error events of the submission's latest grading end the stream. The latest grade number
 * is read only when such an event comes: a regrade may have been asked for since.
 */
async function isFinal(store: Store, submission: Submission, event: StoreEvent): Promise<boolean> {
  if (event.type !== 'graded' && event.type !== 'error') return false;
  const { gradeNumber } = (await store.getSubmission(submission.id)) ?? submission;
  return Number(event.data.gradeNumber ?? gradeNumber) >= gradeNumber;
}

export interface EventStreamOptions {
  /** The stream ends (cleanly, to be resumed) after this long, ms. */
  maxLifetimeMs: number;
}

export async function streamSubmissionEvents(store: Store, submission: Submission, req: Request, res: Response, options: EventStreamOptions): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  let after = lastEventId(req);
  let closed = false;
  req.on('close', () => { closed = true; });
  const endAt = Date.now() + options.maxLifetimeMs;
  let lastWrite = Date.now();
  while (!closed) {
    for (const event of await store.listEvents(submission.id, after)) {
      res.write(`id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(await studentEventData(store, submission, event))}\n\n`);
      after = event.seq;
      lastWrite = Date.now();
      if (await isFinal(store, submission, event)) {
        res.end();
        return;
      }
    }
    if (Date.now() >= endAt) {
      res.end(': this stream has been open its longest; reconnect with Last-Event-ID to go on\n\n');
      return;
    }
    if (Date.now() - lastWrite > HEARTBEAT_MS) {
      res.write(': still grading\n\n');
      lastWrite = Date.now();
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  res.end();
}
