// Shared by the store tests: real stores in temp data dirs (always closed and removed), a seeded
// course with an assignment, and a short way to submit stored files.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as assert from 'uvu/assert';

import { InternalError, UserError } from '../../services/common/errors.js';
import { openStore } from '../../services/store/open-store.js';
import type { SqliteStore } from '../../services/store/sqlite-store.js';
import type { Assignment, AttemptBy, CreatedSubmission, NewSubmission, Store } from '../../services/store/store.js';
import type { StoreOptions } from '../../services/store/store-options.js';

export const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
export const GRADER_DIGEST = sha256('grader sum-c v1');

export class StoreFixture {
  private readonly dirs: string[] = [];
  private readonly stores: Store[] = [];

  dataDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'gradebox-store-t-'));
    this.dirs.push(dir);
    return dir;
  }

  /** A store on `dataDir` (a fresh one when not given), closed by `cleanup()`. */
  async open(dataDir = this.dataDir(), options: Partial<StoreOptions> = {}): Promise<SqliteStore> {
    const store = await openStore(dataDir, options);
    this.stores.push(store);
    return store;
  }

  async cleanup(): Promise<void> {
    for (const store of this.stores.splice(0)) await store.close();
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}

/** A stand-in snapshot of the grader `digest` (the store keeps its tar as it is given). */
export async function storeSnapshot(store: Store, digest: string): Promise<void> {
  await store.addGraderSnapshot({ digest, tar: Buffer.from(`a tar of grader ${digest}`), manifest: { tests: ['sample'], files: [{ path: 'grader.yaml', sha256: sha256(digest), size: 10 }] } });
}

/** An assignment of `courseId` (which must exist) with a snapshot of the grader `digest`. */
export async function addAssignment(store: Store, courseId: string, name: string, graderDir: string, digest: string): Promise<Assignment> {
  await storeSnapshot(store, digest);
  return store.addAssignment(courseId, name, graderDir, digest);
}

/** Course `cs101` with assignment `sum`. */
export async function seed(store: Store, courseId = 'cs101'): Promise<Assignment> {
  await store.createCourse(courseId, 'Intro');
  return addAssignment(store, courseId, 'sum', '/srv/graders/sum-c', GRADER_DIGEST);
}

/** Stores each file's content as a blob and submits them. */
export async function submit(store: Store, assignment: Assignment, files: Record<string, string>, extra: Partial<NewSubmission> = {}): Promise<CreatedSubmission> {
  const manifest = [];
  for (const [path, content] of Object.entries(files)) {
    const blob = await store.putBlob(Buffer.from(content));
    manifest.push({ path, sha256: blob.sha256, size: blob.size });
  }
  return store.createSubmission({ courseId: assignment.courseId, assignmentId: assignment.id, student: 'ada', files: manifest, ...extra });
}

/** The UserError a call rejects with, checked to carry `code`; fails the test when it succeeds. */
export async function userError(call: Promise<unknown>, code: string): Promise<UserError> {
  const error = await call.then(() => null, (e: unknown) => e);
  if (error === null) assert.unreachable(`expected a UserError ${code}, but the call succeeded`);
  assert.instance(error, UserError, `expected a UserError ${code}, got ${String(error)}`);
  assert.is((error as UserError).code, code, (error as UserError).message);
  return error as UserError;
}

/** The InternalError a call rejects with, checked to carry `code`. */
export async function internalError(call: Promise<unknown>, code: string): Promise<InternalError> {
  const error = await call.then(() => null, (e: unknown) => e);
  if (error === null) assert.unreachable(`expected an InternalError ${code}, but the call succeeded`);
  assert.instance(error, InternalError, `expected an InternalError ${code}, got ${String(error)}`);
  assert.is((error as InternalError).code, code, (error as InternalError).message);
  return error as InternalError;
}

/** A worker's try at a grading (the first, unless told). */
export function by(workerId: string, attempt = 1): AttemptBy {
  return { workerId, attempt };
}
