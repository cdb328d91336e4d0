// Paths named by grader.yaml: the folder is untrusted-ish, so every path must stay inside it, links included.
import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';

import { invalidField, type GraderContext } from './grader-errors.js';

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/** Checks that `rel` names an existing file or folder inside the grader folder; returns its absolute
 * path as written (not the link target), so /box gets the name the instructor gave. */
export function graderPath(ctx: GraderContext, rel: string, field: string, kind: 'file' | 'folder'): string {
  if (isAbsolute(rel)) invalidField(ctx, field, `${rel} is an absolute path; give a path relative to the grader folder`);
  const path = resolve(ctx.root, rel);
  if (!isInside(ctx.root, path)) invalidField(ctx, field, `${rel} leaves the grader folder; keep every file inside it`);
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    invalidField(ctx, field, `${rel} does not exist in the grader folder; create it, or fix the path`);
  }
  // realpath resolves every link on the way, so a linked folder that leads out is caught too (CWE-59).
  if (!isInside(ctx.root, real)) invalidField(ctx, field, `${rel} is a symlink to ${real}, outside the grader folder; copy the file into the folder instead`);
  const stat = statSync(real);
  const ok = kind === 'file' ? stat.isFile() : stat.isDirectory();
  if (!ok) invalidField(ctx, field, `${rel} is not a ${kind === 'file' ? 'regular file' : 'folder'}; give a ${kind}`);
  return path;
}

export const graderFile = (ctx: GraderContext, rel: string, field: string): string => graderPath(ctx, rel, field, 'file');

export function graderFiles(ctx: GraderContext, rels: string[], field: string): string[] {
  return rels.map((rel, i) => graderFile(ctx, rel, `${field}[${i}]`));
}
