// A course's assignments for its staff: listed with counts; created as drafts from an uploaded
// grader (checked, snapshotted, its samples kept); pointed at a new grader; self-tested through
// the workers; published only once a self-test of the current grader passed; scheduled (due date,
// feedback release); archived. Every change goes into the staff audit trail.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';

import express, { Router, type Request, type Response } from 'express';

import { actorName } from '../../access/actor.js';
import { graderChanges } from '../../grading/grader-change.js';
import type { FolderSample } from '../../grading/grader-samples.js';
import { staffRoutes } from '../../protocol/staff-routes.js';
import { assignmentEdit } from '../../protocol/staff-schemas.js';
import { checkIsoTime } from '../../store/input-checks.js';
import type { Assignment, GraderSample, Store } from '../../store/store.js';
import { requireCoursePermission } from '../access-checks.js';
import { HttpError } from '../http-errors.js';
import { requestIdOf } from '../request-id.js';
import { serveRoute } from '../serve-route.js';
import { assignmentJson, graderJson, selfTestJson } from './assignment-views.js';
import { checkedBody } from './checked-input.js';
import { pathCourse } from './course-routes.js';
import { receiveGrader, type ReceivedGrader } from './grader-upload.js';
import type { StaffContext } from './staff-context.js';

async function pathAssignment(store: Store, req: Request): Promise<Assignment> {
  const courseId = String(req.params.course);
  await pathCourse(store, courseId);
  const assignment = await store.findAssignment(courseId, String(req.params.name));
  if (!assignment) throw new HttpError(404, 'E_NOT_FOUND', `course ${courseId} has no assignment ${String(req.params.name)}`);
  return assignment;
}

/** Runs `work` with a fresh staging folder for a grader upload, removed afterwards whatever happens. */
async function withStaging<T>(ctx: StaffContext, work: (staging: string) => Promise<T>): Promise<T> {
  const staging = join(ctx.stagingDir, randomBytes(12).toString('hex'));
  try {
    return await work(staging);
  } finally {
    if (existsSync(staging)) await rm(staging, { recursive: true, force: true });
  }
}

/** The samples' files stored as blobs (they outlive the staging folder), then kept for the assignment's grader. */
async function keepSamples(store: Store, assignment: Assignment, samples: FolderSample[]): Promise<void> {
  const kept: GraderSample[] = [];
  for (const sample of samples) {
    const files = [];
    for (const file of sample.files) {
      const blob = await store.putBlob(file.diskPath);
      files.push({ path: file.path, sha256: blob.sha256, size: blob.size });
    }
    kept.push({ name: sample.name, expectedVerdict: sample.expectedVerdict, files });
  }
  await store.setGraderSamples(assignment.id, assignment.graderDigest, kept);
}

async function detailed(store: Store, assignment: Assignment) {
  return assignmentJson(assignment, {
    manifest: (await store.findGraderSnapshot(assignment.graderDigest))?.manifest ?? null,
    samples: await store.listGraderSamples(assignment.id, assignment.graderDigest),
    selfTest: await store.latestSelfTest(assignment.id),
  });
}

async function createAssignment(ctx: StaffContext, req: Request, res: Response): Promise<void> {
  const { store } = ctx;
  const courseId = String(req.params.course);
  requireCoursePermission(res, 'assignments.edit', courseId);
  await pathCourse(store, courseId);
  const assignment = await withStaging(ctx, async (staging) => {
    const grader = await receiveGrader(req, staging, ctx.graderUploadLimits);
    const name = grader.fields.name?.trim();
    if (!name) throw new HttpError(400, 'E_MISSING_FIELD', 'the form field "name" is missing: name the assignment as students will');
    if (grader.fields.due_at) checkIsoTime('due_at', grader.fields.due_at);
    await store.addGraderSnapshot(grader.snapshot);
    let made = await store.addDraftAssignment(courseId, name, `upload:${grader.fileName}`, grader.snapshot.digest);
    await keepSamples(store, made, grader.samples);
    if (grader.fields.due_at) made = await store.setFeedbackSchedule(courseId, name, { dueAt: grader.fields.due_at });
    return made;
  });
  await ctx.audit(res, 'assignment.created', courseId, { assignment: assignment.name, grader: assignment.graderDigest, source: assignment.graderDir });
  res.status(201).json(await detailed(store, assignment));
}

async function replaceGrader(ctx: StaffContext, req: Request, res: Response): Promise<void> {
  const { store } = ctx;
  requireCoursePermission(res, 'assignments.edit', String(req.params.course));
  const before = await pathAssignment(store, req);
  const { assignment, changes } = await withStaging(ctx, async (staging) => {
    const grader: ReceivedGrader = await receiveGrader(req, staging, ctx.graderUploadLimits);
    const old = await store.findGraderSnapshot(before.graderDigest);
    await store.addGraderSnapshot(grader.snapshot);
    const now = await store.addAssignment(before.courseId, before.name, `upload:${grader.fileName}`, grader.snapshot.digest);
    await keepSamples(store, now, grader.samples);
    const said = before.graderDigest === now.graderDigest ? ['grader unchanged']
      : old ? graderChanges(old.manifest, grader.snapshot.manifest) : ['(the grader before had no snapshot to compare with)'];
    return { assignment: now, changes: said };
  });
  await ctx.audit(res, 'grader.changed', before.courseId, { assignment: before.name, from: before.graderDigest, to: assignment.graderDigest, changes });
  res.json({ assignment: await detailed(store, assignment), changes });
}

/** Publishing needs a finished self-test of the grader as it is now, every sample with its expected verdict. */
async function publish(ctx: StaffContext, req: Request, res: Response): Promise<void> {
  const { store } = ctx;
  requireCoursePermission(res, 'assignments.edit', String(req.params.course));
  const assignment = await pathAssignment(store, req);
  const test = await store.latestSelfTest(assignment.id);
  const view = test ? selfTestJson(test, assignment.graderDigest) : null;
  if (!view || !view.current) {
    throw new HttpError(409, 'E_SELF_TEST_MISSING', `assignment ${assignment.name} has no self-test of its current grader: run one (POST …/self-test), then publish`);
  }
  if (view.status === 'running') throw new HttpError(409, 'E_SELF_TEST_RUNNING', `the self-test of ${assignment.name} is still running; publish once it has passed`);
  if (view.status === 'failed') {
    throw new HttpError(409, 'E_SELF_TEST_FAILED', `the self-test of ${assignment.name} failed, so it stays unpublished; samples that did not get their verdict: ${view.failures.join('; ')}`);
  }
  const published = await store.setAssignmentState(assignment.courseId, assignment.name, 'published');
  await ctx.audit(res, 'assignment.published', assignment.courseId, { assignment: assignment.name, grader: assignment.graderDigest, self_test: view.id });
  res.json(await detailed(store, published));
}

export function assignmentAdminRoutes(ctx: StaffContext): Router {
  const { store } = ctx;
  const router = Router();
  serveRoute(router, staffRoutes.courseAssignments, async (req, res) => {
    const courseId = String(req.params.course);
    requireCoursePermission(res, 'course.read', courseId);
    await pathCourse(store, courseId);
    const counts = new Map((await store.countAssignmentSubmissions(courseId)).map((c) => [c.assignmentId, c]));
    const list = [];
    for (const a of await store.listAssignments(courseId)) {
      list.push(assignmentJson(a, { manifest: (await store.findGraderSnapshot(a.graderDigest))?.manifest ?? null, counts: counts.get(a.id) }));
    }
    res.json(list);
  });
  serveRoute(router, staffRoutes.createAssignment, (req, res) => createAssignment(ctx, req, res));
  serveRoute(router, staffRoutes.validateGrader, async (req, res) => {
    requireCoursePermission(res, 'assignments.edit', String(req.params.course));
    const answer = await withStaging(ctx, async (staging) => {
      const { snapshot, samples, fileName } = await receiveGrader(req, staging, ctx.graderUploadLimits);
      return { grader: graderJson(snapshot.digest, `upload:${fileName}`, snapshot.manifest), samples: samples.map((s) => ({ name: s.name, expected: s.expectedVerdict, files: s.files.map((f) => f.path) })) };
    });
    res.json(answer);
  });
  serveRoute(router, staffRoutes.assignment, async (req, res) => {
    requireCoursePermission(res, 'course.read', String(req.params.course));
    res.json(await detailed(store, await pathAssignment(store, req)));
  });
  serveRoute(router, staffRoutes.editAssignment, express.json({ limit: '4kb' }), async (req, res) => {
    requireCoursePermission(res, 'assignments.edit', String(req.params.course));
    const assignment = await pathAssignment(store, req);
    const input = checkedBody(assignmentEdit, req.body, 'send due_at (ISO-8601 with a zone, or null) and/or feedback_released (true or false)');
    if (input.due_at === undefined && input.feedback_released === undefined) throw new HttpError(400, 'E_BAD_REQUEST', 'nothing to change: send due_at and/or feedback_released');
    const changed = await store.setFeedbackSchedule(assignment.courseId, assignment.name, {
      ...(input.due_at !== undefined ? { dueAt: input.due_at } : {}), ...(input.feedback_released !== undefined ? { released: input.feedback_released } : {}),
    });
    await ctx.audit(res, 'assignment.schedule', assignment.courseId, { assignment: assignment.name, due_at: changed.dueAt, feedback_released_at: changed.feedbackReleasedAt });
    res.json(await detailed(store, changed));
  });
  serveRoute(router, staffRoutes.replaceGrader, (req, res) => replaceGrader(ctx, req, res));
  serveRoute(router, staffRoutes.startSelfTest, async (req, res) => {
    const actor = requireCoursePermission(res, 'assignments.edit', String(req.params.course));
    const assignment = await pathAssignment(store, req);
    // A self-test of no sample proves nothing, so it would let any grader be published.
    if ((await store.listGraderSamples(assignment.id, assignment.graderDigest)).length === 0) {
      throw new HttpError(409, 'E_NO_SAMPLES', `the grader of ${assignment.name} brought no sample submissions to self-test: add them under submissions/ with their verdicts in submissions/expected.json, and upload the grader again`);
    }
    const test = await store.startSelfTest(assignment.id, actorName(actor), requestIdOf(res));
    ctx.relay.kick();
    await ctx.audit(res, 'assignment.self_test', assignment.courseId, { assignment: assignment.name, grader: assignment.graderDigest, self_test: test.id, samples: test.cases.length });
    res.status(202).json(selfTestJson(test, assignment.graderDigest));
  });
  serveRoute(router, staffRoutes.selfTest, async (req, res) => {
    requireCoursePermission(res, 'course.read', String(req.params.course));
    const assignment = await pathAssignment(store, req);
    const test = await store.latestSelfTest(assignment.id);
    if (!test) throw new HttpError(404, 'E_NOT_FOUND', `assignment ${assignment.name} has had no self-test yet`);
    res.json(selfTestJson(test, assignment.graderDigest));
  });
  serveRoute(router, staffRoutes.publish, (req, res) => publish(ctx, req, res));
  serveRoute(router, staffRoutes.archiveAssignment, async (req, res) => {
    requireCoursePermission(res, 'assignments.edit', String(req.params.course));
    const assignment = await pathAssignment(store, req);
    const archived = await store.setAssignmentState(assignment.courseId, assignment.name, 'archived');
    await ctx.audit(res, 'assignment.archived', assignment.courseId, { assignment: assignment.name });
    res.json(await detailed(store, archived));
  });
  return router;
}
