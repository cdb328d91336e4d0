// Checks of a grader snapshot before it is stored, the same for every backend.
import { UserError } from '../common/errors.js';
import { checkSha256, quote } from './input-checks.js';
import type { GraderManifest, NewGraderSnapshot } from './store.js';

function checkManifest(manifest: GraderManifest): void {
  const fine = Array.isArray(manifest?.tests) && manifest.tests.every((t) => typeof t === 'string')
    && Array.isArray(manifest.files) && manifest.files.every((f) => typeof f?.path === 'string' && typeof f.sha256 === 'string' && Number.isSafeInteger(f.size));
  if (!fine) throw new UserError('E_BAD_INPUT', 'a grader snapshot\'s manifest must list its tests (names) and files ({ path, sha256, size })');
}

/** Refuses a malformed snapshot before its tar is stored. */
export function checkSnapshot(snapshot: NewGraderSnapshot): void {
  checkSha256('grader digest', snapshot.digest);
  checkManifest(snapshot.manifest);
  if (!Buffer.isBuffer(snapshot.tar)) throw new UserError('E_BAD_INPUT', `the snapshot of grader ${quote(snapshot.digest)} is not bytes`);
}
