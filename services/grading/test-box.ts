// The folder a test's sandbox starts from: the build's output plus the grader's files.
import { cpSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Copies a grader's files into `box`, at their paths relative to the grader folder. */
export function copyGraderFiles(files: string[], graderDir: string, box: string): void {
  for (const file of files) cpSync(file, join(box, relative(graderDir, file)), { dereference: true });
}

/** `built` when nothing is added (runs copy /box anyway), else a copy with the files laid over it. */
export function testBox(built: string, graderDir: string, files: string[], scratch: string, name: string): string {
  if (files.length === 0) return built;
  const box = join(scratch, `box-${name}`);
  cpSync(built, box, { recursive: true, verbatimSymlinks: true });
  copyGraderFiles(files, graderDir, box);
  return box;
}
