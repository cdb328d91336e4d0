// Checks of a grader snapshot before it is stored, the same for every backend.
import { UserError } from '../common/errors.js';
import { checkSha256, quote } from './input-checks.js';
import type { GraderManifest, NewGraderSnapshot, SubmissionRule } from './store.js';

function isSubmissionRule(rule: SubmissionRule | undefined): boolean {
  return rule === undefined || (typeof rule?.language === 'string' && Array.isArray(rule.extensions)
    && rule.extensions.every((e) => typeof e === 'string') && (rule.entry === null || typeof rule.entry === 'string'));
}

function checkManifest(manifest: GraderManifest): void {
  const fine = Array.isArray(manifest?.tests) && manifest.tests.every((t) => typeof t === 'string')
    && Array.isArray(manifest.files) && manifest.files.every((f) => typeof f?.path === 'string' && typeof f.sha256 === 'string' && Number.isSafeInteger(f.size))
    && isSubmissionRule(manifest.submissions);
  if (!fine) throw new UserError('E_BAD_INPUT', 'a grader snapshot\'s manifest must list its tests (names) and files ({ path, sha256, size }), and may say what submissions hold ({ language, extensions, entry })');
}

/** Refuses a malformed snapshot before its tar is stored. */
export function checkSnapshot(snapshot: NewGraderSnapshot): void {
  checkSha256('grader digest', snapshot.digest);
  checkManifest(snapshot.manifest);
  if (!Buffer.isBuffer(snapshot.tar)) throw new UserError('E_BAD_INPUT', `the snapshot of grader ${quote(snapshot.digest)} is not bytes`);
}
