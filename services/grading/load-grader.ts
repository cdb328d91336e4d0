// Reads a grader folder: its grader.yaml and every file it names, checked, into a definition with
// its digest. Errors name the file, the field and the fix.
import { realpathSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { UserError } from '../common/errors.js';
import { pathLabel } from '../common/file-labels.js';
import { DEFAULT_GRADER_LIMITS, readGraderSpec, type GraderDefinition } from './grader-definition.js';
import { graderDigest, referencedFiles } from './grader-digest.js';
import type { GraderContext } from './grader-errors.js';
import { graderFiles } from './grader-paths.js';
import { harnessOf, ioTests, limitsFrom } from './grader-tests.js';

function graderRoot(dir: string): string {
  try {
    const root = realpathSync(resolve(dir));
    if (statSync(root).isDirectory()) return root;
  } catch {
    // Reported below, with the same message as a file.
  }
  throw new UserError('E_GRADER_NOT_FOUND', `${dir}: no such grader folder; give the folder that holds grader.yaml`);
}

/** Reads and checks `dir/grader.yaml` and every file it names. Throws a UserError: E_GRADER_INVALID
 * for a bad file, E_GRADER_NOT_FOUND when there is no grader.yaml. */
export function loadGrader(dir: string): GraderDefinition {
  const root = graderRoot(dir);
  const ctx: GraderContext = { root, label: pathLabel(join(root, 'grader.yaml')) };
  const { spec, canonical } = readGraderSpec(ctx, join(root, 'grader.yaml'));
  const limits = limitsFrom(DEFAULT_GRADER_LIMITS, spec.limits);
  const definition: Omit<GraderDefinition, 'digest'> = {
    dir: root,
    language: spec.language,
    mode: spec.mode,
    limits,
    build: spec.build,
    run: spec.run,
    files: graderFiles(ctx, spec.files, 'files'),
    tests: spec.mode === 'io' ? ioTests(ctx, spec, limits) : [],
    customChecker: spec.custom_checker
      ? { run: spec.custom_checker.run, files: graderFiles(ctx, spec.custom_checker.files, 'custom_checker.files') }
      : undefined,
    harness: spec.mode === 'harness' ? harnessOf(ctx, spec) : undefined,
    stopOnFailure: spec.stop_on_failure,
  };
  return { ...definition, digest: graderDigest(root, canonical, referencedFiles(definition)) };
}
