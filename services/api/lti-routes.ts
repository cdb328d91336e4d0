// The LTI 1.3 routes: the tool endpoints a platform calls (our keys, the OIDC login, the launch),
// the routes a launch's page uses with its launch token (a learner's upload and its result, the
// deep-linking choice, the roster), and the operators' registration routes. The pages' errors are
// pages (they show in the LMS's iframe); the JSON routes answer as the rest of the API.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import type { Logger } from 'pino';

import { recordStaffAction } from '../audit/staff-audit.js';
import { InternalError, UserError } from '../common/errors.js';
import type { UploadLimits } from '../intake/upload-limits.js';
import { deepLinkingResponse } from '../lti/deep-linking.js';
import { openLaunch } from '../lti/launch.js';
import { validateLaunch } from '../lti/launch-validation.js';
import type { LtiService } from '../lti/lti-service.js';
import { startLogin } from '../lti/login.js';
import { PlatformFailure } from '../lti/platform-request.js';
import { syncRoster } from '../lti/roster.js';
import { isSubmissionId } from '../protocol/ids.js';
import { ltiRoutes as routes } from '../protocol/lti-routes.js';
import type { LtiLaunchSession } from '../store/lti-store.js';
import type { SessionTimes, Store } from '../store/store.js';
import { HttpError, logFailure } from './http-errors.js';
import { mintHandoff, redeemHandoff } from './lti-handoff.js';
import { deepLinkReturnPage, errorPage, instructorPage, learnerPage, pickerPage } from './lti-pages.js';
import type { OutboxRelay } from './outbox-relay.js';
import { requestIdOf, requestLog } from './request-id.js';
import { serveRoute } from './serve-route.js';
import { studentSubmission } from './student-submission.js';
import { checkGradable, uploadedEntry } from './upload/gradable-upload.js';
import { readSubmissionUpload } from './upload/submission-upload.js';

export interface LtiRoutesOptions {
  store: Store;
  lti: LtiService;
  relay: OutboxRelay;
  stagingDir: string;
  uploadLimits?: Partial<UploadLimits>;
  logger: Logger;
  /** The dashboard's sessions, which a staff launch's handoff opens. */
  sessionTimes: SessionTimes;
  /** Counts a learner's uploads (the portal's per-caller limit, 429 beyond). */
  uploads: RequestHandler;
}

const forms = express.urlencoded({ extended: false, limit: '256kb' });

/** A page route: a user error becomes an error page with its status, anything else a 500 page with a logged reference. */
function page(logger: Logger, handler: (req: Request, res: Response) => Promise<void>): RequestHandler {
  return async (req, res) => {
    try {
      await handler(req, res);
    } catch (error) {
      if (error instanceof UserError) {
        const status = 'status' in error && typeof error.status === 'number' ? error.status : error.code === 'E_LTI_ROLE' ? 403 : 400;
        return errorPage(res, status, error.code, error.message);
      }
      const reference = logFailure(res, logger, error, { url: req.originalUrl }, 'LTI request failed');
      errorPage(res, 500, 'E_INTERNAL', `gradebox failed to handle this; operators can look it up under the reference ${reference}`);
    }
  };
}

/** The launch session of the request's token (a bearer, or a form's launch_token). */
async function sessionFrom(store: Store, req: Request): Promise<LtiLaunchSession> {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '')?.[1];
  const token = bearer ?? (req.body as Record<string, unknown> | undefined)?.launch_token;
  const session = typeof token === 'string' ? await store.findLtiLaunch(token) : null;
  if (!session) throw new HttpError(401, 'E_UNAUTHORIZED', 'this launch is unknown or has expired: open gradebox again from the LMS');
  return session;
}

function launchAuth(store: Store): RequestHandler {
  return async (req, res, next) => {
    res.locals.ltiSession = await sessionFrom(store, req);
    next();
  };
}

const sessionOf = (res: Response): LtiLaunchSession => res.locals.ltiSession as LtiLaunchSession;

/** Whose uploads a learner's request counts to (rate-limits.ts): the learner, by their platform and sub. */
export const ltiUploader = (res: Response): string => `lti:${sessionOf(res).platformId}:${sessionOf(res).sub}`;

async function launch(options: LtiRoutesOptions, req: Request, res: Response): Promise<void> {
  const { store, lti } = options;
  const valid = await validateLaunch(store, lti.platformKeys, lti.settings, (req.body ?? {}) as Record<string, unknown>);
  const opened = await openLaunch(store, lti.settings, valid);
  const { session, staff } = opened;
  if (staff && staff.after !== staff.before) {
    await recordStaffAction(store, { actor: `lti:${valid.platform.issuer}`, type: 'role.granted', courseId: session.courseId, data: { user: staff.user.email ?? staff.user.id, role: staff.after } });
  }
  if (session.deepLink) return pickerPage(res, opened.token, session.courseId, await store.listAssignments(session.courseId));
  if (session.role === 'learner') return learnerPage(res, opened.token, opened.assignment!);
  // An admin holds every course without a course role.
  const role = staff?.user.admin ? 'admin' : staff?.after ?? null;
  instructorPage(res, opened.token, session.courseId, opened.assignment, await store.listLtiScoreDeliveries(session.courseId, 100), role);
}

async function deepLink(options: LtiRoutesOptions, req: Request, res: Response): Promise<void> {
  const { store, lti } = options;
  const session = sessionOf(res);
  if (!session.deepLink) throw new HttpError(400, 'E_LTI_NOT_DEEP_LINKING', 'this launch was not a deep-linking request: place the assignment from the LMS\'s picker');
  const name = String((req.body as Record<string, unknown>).assignment ?? '');
  const assignment = await store.findAssignment(session.courseId, name);
  if (!assignment) throw new HttpError(400, 'E_UNKNOWN_ASSIGNMENT', `course ${session.courseId} has no assignment "${name}"`);
  const platform = await store.getLtiPlatform(session.platformId);
  if (!platform) throw new HttpError(400, 'E_LTI_UNKNOWN_PLATFORM', 'the platform of this launch is no longer registered');
  const jwt = await deepLinkingResponse(lti.toolKeys, lti.settings, platform, session.deepLink, { name: assignment.name, maxScore: null });
  deepLinkReturnPage(res, session.deepLink.returnUrl, jwt);
}

/** A learner's upload: the launch names the course, the assignment and the student (their sub). */
async function upload(options: LtiRoutesOptions, req: Request, res: Response): Promise<void> {
  const { store } = options;
  const session = sessionOf(res);
  if (session.role !== 'learner' || session.assignmentId === null) throw new HttpError(403, 'E_FORBIDDEN', 'only a learner\'s launch of an assignment uploads submissions');
  const staging = join(options.stagingDir, randomBytes(12).toString('hex'));
  try {
    const received = await readSubmissionUpload({ headers: req.headers, stream: req }, staging, options.uploadLimits);
    if (received.files.length === 0) throw new HttpError(400, 'E_NO_FILES', 'the submission has no files: attach source files or one .zip / .tar.gz');
    // The portal's checks, as for its uploads: an entry file named in the form, and files the grader's language can grade.
    const paths = received.files.map((f) => f.path);
    const entry = uploadedEntry(received.fields, paths);
    const assignment = (await store.listAssignments(session.courseId)).find((a) => a.id === session.assignmentId);
    if (!assignment) throw new HttpError(403, 'E_FORBIDDEN', 'the assignment of this launch is gone');
    checkGradable((await store.findGraderSnapshot(assignment.graderDigest))?.manifest.submissions, assignment.name, paths, entry);
    for (const file of received.files) {
      if (file.content) continue;
      try {
        await store.putBlob(file.diskPath, file.sha256);
      } catch (error) {
        if (error instanceof UserError && error.code === 'E_TOO_LARGE') throw error;
        throw new InternalError('E_UPLOAD_STAGING', `cannot store a staged file: ${(error as Error).message}`, { cause: error });
      }
    }
    const { submission } = await store.createSubmission({
      courseId: session.courseId, assignmentId: session.assignmentId, student: session.sub, entry, requestId: requestIdOf(res),
      files: received.files.map((f) => ({ path: f.path, sha256: f.sha256, size: f.size, content: f.content })),
    });
    requestLog(res).info({ submission: submission.id, course: submission.courseId, assignment: assignment.name }, 'LTI submission accepted');
    options.relay.kick();
    res.status(202).json({ id: submission.id, status: submission.status });
  } finally {
    if (existsSync(staging)) await rm(staging, { recursive: true, force: true });
  }
}

async function roster(options: LtiRoutesOptions, res: Response): Promise<void> {
  const { store, lti } = options;
  const session = sessionOf(res);
  if (session.role === 'learner') throw new HttpError(403, 'E_FORBIDDEN', 'only an instructor reads the roster');
  const platform = await store.getLtiPlatform(session.platformId);
  const context = await store.findLtiContext(session.platformId, session.contextId);
  if (!platform || !context) throw new HttpError(409, 'E_LTI_CONTEXT_UNLINKED', 'this LMS course is no longer linked');
  try {
    res.json(await syncRoster(store, lti.tokens, lti.settings.requestTimeoutMs, platform, context));
  } catch (error) {
    if (error instanceof PlatformFailure) throw new HttpError(error.status === null && error.final ? 409 : 502, 'E_LTI_PLATFORM', error.message);
    throw error;
  }
}

export function ltiRoutes(options: LtiRoutesOptions): Router {
  const { store, lti, logger } = options;
  const router = Router();
  const auth = launchAuth(store);
  serveRoute(router, routes.jwks, async (_req, res) => { res.set('Cache-Control', 'max-age=300').json(await lti.toolKeys.jwks()); });
  serveRoute(router, routes.loginGet, page(logger, async (req, res) => res.redirect(302, await startLogin(store, lti.settings, req.query))));
  serveRoute(router, routes.loginPost, forms, page(logger, async (req, res) => res.redirect(302, await startLogin(store, lti.settings, req.body ?? {}))));
  serveRoute(router, routes.launch, forms, page(logger, (req, res) => launch(options, req, res)));
  serveRoute(router, routes.deepLink, forms, page(logger, async (req, res) => {
    res.locals.ltiSession = await sessionFrom(store, req);
    await deepLink(options, req, res);
  }));
  serveRoute(router, routes.ltiUpload, auth, options.uploads, (req, res) => upload(options, req, res));
  serveRoute(router, routes.ltiSubmission, auth, async (req, res) => {
    const session = sessionOf(res);
    const id = String(req.params.id);
    const submission = isSubmissionId(id) ? await store.getSubmission(id) : null;
    if (!submission || submission.courseId !== session.courseId || submission.student !== session.sub) throw new HttpError(404, 'E_NOT_FOUND', `no submission ${id} of yours`);
    res.json(await studentSubmission(store, submission));
  });
  serveRoute(router, routes.ltiRoster, auth, (_req, res) => roster(options, res));
  serveRoute(router, routes.ltiHandoff, auth, async (_req, res) => {
    const { token, expiresAt } = await mintHandoff(store, sessionOf(res));
    res.set('Cache-Control', 'no-store').json({ token, expires_at: expiresAt });
  });
  serveRoute(router, routes.handoff, forms, page(logger, (req, res) => redeemHandoff(store, options.sessionTimes, logger, req, res)));
  return router;
}
