// The folders a test's /box is laid from: the build's output, then the grader's files. The launcher
// lays them in order inside the sandbox's own scratch (a later folder's entry replacing an earlier
// one's), so root never writes into a tree a build produced, whose links could lead anywhere.
import { cpSync, mkdtempSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Copies a grader's files, at their paths relative to the grader folder, into a new folder made in
 * `scratch` (named `label-XXXXXX`), and returns that folder. Nothing else ever wrote there.
 */
export function copyGraderFiles(files: readonly string[], graderDir: string, scratch: string, label: string): string {
  const folder = mkdtempSync(join(scratch, `${label}-`));
  for (const file of files) cpSync(file, join(folder, relative(graderDir, file)), { dereference: true });
  return folder;
}

/**
 * The folders a run's /box is laid from: `built` (never written to), then a new folder holding
 * `files` from the grader folder, when there are any. Pass the result as the run's `dir`.
 */
export function testBox(built: string, graderDir: string, files: readonly string[], scratch: string, name: string): string[] {
  return files.length === 0 ? [built] : [built, copyGraderFiles(files, graderDir, scratch, `files-${name}`)];
}
