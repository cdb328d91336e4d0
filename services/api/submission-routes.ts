// The course portal's routes: upload a submission, read it, follow it, regrade it. What they show
// of a result or a failure is what a student may see (student-view.ts, student-failure.ts); each
// course key is held to its rate limits and its share of event streams.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Router, type Request, type Response } from 'express';
import type { Redis } from 'ioredis';
import type { z } from 'zod';

import { InternalError, UserError } from '../common/errors.js';
import type { UploadLimits } from '../intake/upload-limits.js';
import { apiRoutes } from '../protocol/api-routes.js';
import { idempotencyKey, studentName, type accepted } from '../protocol/api-schemas.js';
import { isSubmissionId } from '../protocol/ids.js';
import type { CoursePermission } from '../access/permissions.js';
import type { Assignment, CreatedSubmission, Store, Submission } from '../store/store.js';
import { requireResourcePermission } from './access-checks.js';
import type { ApiLimits } from './api-limits.js';
import { courseOf, keyOf, portalKeyAuth } from './auth.js';
import { HttpError } from './http-errors.js';
import { requireActor } from './identify.js';
import type { OutboxRelay } from './outbox-relay.js';
import { rateLimit } from './rate-limits.js';
import { requestIdOf, requestLog } from './request-id.js';
import { serveRoute } from './serve-route.js';
import { StreamSlots } from './stream-slots.js';
import { streamSubmissionEvents } from './submission-events.js';
import { studentSubmission } from './student-submission.js';
import { checkGradable, uploadedEntry } from './upload/gradable-upload.js';
import { readSubmissionUpload } from './upload/submission-upload.js';

export interface SubmissionRoutesOptions {
  store: Store;
  relay: OutboxRelay;
  /** A private folder (0700): uploads that do not fit in memory are unpacked here first, one fresh folder per request, removed afterwards. */
  stagingDir: string;
  uploadLimits?: Partial<UploadLimits>;
  limits: ApiLimits;
  /** Where the rate limits are counted (the API's connection). */
  redis: Redis;
  /** Prefix of the rate limits' Redis keys (the queue's). */
  redisPrefix: string;
}

/** How long a client refused a stream should wait before it asks again, s. */
const STREAM_RETRY_SECONDS = 10;

function requiredField(fields: Record<string, string>, name: string, hint: string): string {
  const value = fields[name]?.trim();
  if (!value) throw new HttpError(400, 'E_MISSING_FIELD', `the form field "${name}" is missing: ${hint}`);
  return value;
}

function idempotencyKeyOf(req: Request): string | undefined {
  const key = req.get('idempotency-key');
  if (key === undefined) return undefined;
  if (!idempotencyKey.safeParse(key).success) throw new HttpError(400, 'E_BAD_IDEMPOTENCY_KEY', 'Idempotency-Key must be 1 to 200 visible ASCII characters');
  return key;
}

/**
 * The submission, if the caller may reach it: a portal key its own course's students', staff the
 * submissions of the courses where their role allows `permission`. Another course's is as unknown
 * as a missing one.
 */
async function reachableSubmission(store: Store, res: Response, id: string, permission: CoursePermission): Promise<Submission> {
  const actor = requireActor(res);
  const submission = isSubmissionId(id) ? await store.getSubmission(id) : null;
  const notFound = `no submission ${id} in this course`;
  if (actor.kind === 'key' && actor.scope === 'portal') {
    if (!submission || submission.courseId !== actor.courseId || submission.purpose !== 'student') throw new HttpError(404, 'E_NOT_FOUND', notFound);
    return submission;
  }
  if (!submission) throw new HttpError(404, 'E_NOT_FOUND', notFound);
  requireResourcePermission(res, permission, submission.courseId, notFound);
  return submission;
}

/** An upload is taken only by a published assignment of an open course. */
async function checkOpen(store: Store, assignment: Assignment): Promise<void> {
  const course = await store.getCourse(assignment.courseId);
  if (course?.archivedAt) throw new HttpError(409, 'E_COURSE_ARCHIVED', `course ${assignment.courseId} is archived: it takes no more submissions`);
  if (assignment.state !== 'published') {
    throw new HttpError(409, 'E_ASSIGNMENT_CLOSED', `assignment "${assignment.name}" is ${assignment.state === 'draft' ? 'not published yet' : 'archived'}: it takes no submissions now`);
  }
}

async function createSubmission(options: SubmissionRoutesOptions, req: Request, res: Response): Promise<void> {
  const idempotencyKey = idempotencyKeyOf(req);
  // Made only if the upload needs the disk: most submissions are a few small files, kept in memory.
  const staging = join(options.stagingDir, randomBytes(12).toString('hex'));
  let stored: CreatedSubmission;
  try {
    stored = await storeUpload(options, req, res, staging, idempotencyKey);
  } finally {
    // Off the event loop (removing folders can wait on the disk), and before the answer: whatever
    // the outcome, nothing of the upload is left once the client hears it.
    if (existsSync(staging)) await rm(staging, { recursive: true, force: true });
  }
  const { submission } = stored;
  requestLog(res).info({ submission: submission.id, course: submission.courseId, assignment: submission.assignmentName, replayed: !stored.created }, 'submission accepted');
  if (stored.created) options.relay.kick();
  else res.set('Idempotent-Replayed', 'true');
  res.status(202).json({ id: submission.id, status: submission.status } satisfies z.infer<typeof accepted>);
}

/** Reads the upload into `staging`, checks it, and stores its files and the submission. */
async function storeUpload(options: SubmissionRoutesOptions, req: Request, res: Response, staging: string, idempotencyKey: string | undefined): Promise<CreatedSubmission> {
  const { store } = options;
  const courseId = courseOf(res);
  const upload = await readSubmissionUpload({ headers: req.headers, stream: req }, staging, options.uploadLimits);
  const assignmentName = requiredField(upload.fields, 'assignment', 'name the assignment, as added with gradebox assignments add');
  const student = requiredField(upload.fields, 'student', 'give the student\'s id in the course');
  if (!studentName.safeParse(student).success) throw new HttpError(400, 'E_BAD_STUDENT', 'student must be 1 to 128 letters, digits or . _ @ + -');
  const assignment = await store.findAssignment(courseId, assignmentName);
  if (!assignment) throw new HttpError(404, 'E_UNKNOWN_ASSIGNMENT', `course ${courseId} has no assignment "${assignmentName}"`);
  await checkOpen(store, assignment);
  if (upload.files.length === 0) throw new HttpError(400, 'E_NO_FILES', 'the submission has no files: attach source files or one .zip / .tar.gz');
  const paths = upload.files.map((f) => f.path);
  const entry = uploadedEntry(upload.fields, paths);
  checkGradable((await store.findGraderSnapshot(assignment.graderDigest))?.manifest.submissions, assignmentName, paths, entry);
  // Files held in memory go into the database with the submission, in its one commit; spilled ones are stored as blob files first.
  for (const file of upload.files) if (!file.content) await storeStagedFile(store, file.diskPath, file.sha256);
  return store.createSubmission({
    courseId, assignmentId: assignment.id, student, idempotencyKey, entry, requestId: requestIdOf(res),
    files: upload.files.map((f) => ({ path: f.path, sha256: f.sha256, size: f.size, content: f.content })),
  });
}

/**
 * A file the upload staged is ours: what the store says against it (a link, another digest than
 * the one computed as it arrived) is our failure, not the student's, and its message names a host
 * path. Only a file too large for the store is the sender's.
 */
async function storeStagedFile(store: Store, path: string, sha256: string): Promise<void> {
  try {
    await store.putBlob(path, sha256);
  } catch (error) {
    if (error instanceof UserError && error.code === 'E_TOO_LARGE') throw error;
    throw new InternalError('E_UPLOAD_STAGING', `cannot store the staged file ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/** Follows the submission's events, holding one of its key's stream slots meanwhile. */
async function followEvents(options: SubmissionRoutesOptions, slots: StreamSlots, req: Request, res: Response): Promise<void> {
  const submission = await reachableSubmission(options.store, res, req.params.id as string, 'submissions.read');
  const release = slots.take(keyOf(res));
  if (!release) {
    res.set('Retry-After', String(STREAM_RETRY_SECONDS));
    throw new HttpError(429, 'E_TOO_MANY_STREAMS', `this course key holds ${options.limits.streamsPerKey} open event streams already; close one, or ask again in ${STREAM_RETRY_SECONDS} s`);
  }
  try {
    await streamSubmissionEvents(options.store, submission, req, res, { maxLifetimeMs: options.limits.streamMaxSeconds * 1000 });
  } finally {
    release();
  }
}

export function submissionRoutes(options: SubmissionRoutesOptions): Router {
  const { store, limits, redis, redisPrefix } = options;
  const router = Router();
  const uploads = rateLimit({ redis, keyPrefix: `${redisPrefix}:rate:uploads`, perMinute: limits.uploadsPerMinute, what: 'uploads' });
  const regrades = rateLimit({ redis, keyPrefix: `${redisPrefix}:rate:regrades`, perMinute: limits.regradesPerMinute, what: 'regrades' });
  const slots = new StreamSlots(limits.streamsPerKey);
  serveRoute(router, apiRoutes.upload, portalKeyAuth(), uploads, (req, res) => createSubmission(options, req, res));
  serveRoute(router, apiRoutes.submission, async (req, res) => {
    res.json(await studentSubmission(store, await reachableSubmission(store, res, String(req.params.id), 'submissions.read')));
  });
  serveRoute(router, apiRoutes.events, (req, res) => followEvents(options, slots, req, res));
  serveRoute(router, apiRoutes.regrade, regrades, async (req, res) => {
    const submission = await reachableSubmission(store, res, String(req.params.id), 'submissions.regrade');
    const again = await store.requestRegrade(submission.id, requestIdOf(res));
    requestLog(res).info({ submission: again.id, grade: again.gradeNumber }, 'regrade requested');
    options.relay.kick();
    res.status(202).json({ id: again.id, status: again.status } satisfies z.infer<typeof accepted>);
  });
  return router;
}
