// How error messages name a file and a field of a validated document (policy, grader).
import { relative } from 'node:path';


/** The path relative to the working directory when that is shorter and inside it. */
export function pathLabel(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.length < path.length && !rel.startsWith('..') ? rel : path;
}

/** A zod issue path as a reader writes it: `tests[2].checker`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `${out ? '.' : ''}${String(key)}`;
  return out || '(top level)';
}

