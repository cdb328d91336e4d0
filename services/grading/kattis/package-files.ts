// Reading a Kattis problem package safely: the package may come from anyone (an upload), so every
// path is resolved and must stay inside it (the format allows links, but only to its own files),
// only regular files and folders are taken (a FIFO or a device is refused), and what is copied is
// the file's bytes into a fresh folder of ours.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';

import { UserError } from '../../common/errors.js';

/** The package folder with its links resolved. */
export function packageRoot(dir: string): string {
  try {
    const root = realpathSync(dir);
    if (statSync(root).isDirectory()) return root;
  } catch {
    // reported below
  }
  throw new UserError('E_KATTIS_INVALID', `${dir}: no such folder; give the problem package's folder (the one holding problem.yaml)`);
}

/** The real path of `rel` in the package, which must stay inside it (CWE-59), or null when missing. */
function realInside(root: string, rel: string): string | null {
  let real: string;
  try {
    real = realpathSync(join(root, rel));
  } catch {
    return null;
  }
  const inside = relative(root, real);
  if (inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
    throw new UserError('E_KATTIS_INVALID', `${join(root, rel)} leads outside the package (to ${real}); copy the file into the package instead`);
  }
  return real;
}

export type EntryKind = 'file' | 'folder' | null;

export function kindOf(root: string, rel: string): EntryKind {
  const real = realInside(root, rel);
  if (real === null) return null;
  const stat = statSync(real);
  if (stat.isFile()) return 'file';
  if (stat.isDirectory()) return 'folder';
  throw new UserError('E_KATTIS_INVALID', `${join(root, rel)} is neither a file nor a folder; remove it`);
}

/** The names in a folder of the package, sorted; hidden ones (a leading dot) are left out, as the
 * format asks ("the judging system shall behave as if all such files were removed"). */
export function entriesOf(root: string, rel: string): string[] {
  const real = realInside(root, rel);
  if (real === null) return [];
  return readdirSync(real).filter((name) => !name.startsWith('.')).sort();
}

export function readText(root: string, rel: string): string | null {
  const real = realInside(root, rel);
  return real === null || !statSync(real).isFile() ? null : readFileSync(real, 'utf8');
}

/** Copies the file `rel` of the package to `out/to` (folders made as needed). */
export function copyFile(root: string, rel: string, out: string, to: string): void {
  const real = realInside(root, rel);
  if (real === null || kindOf(root, rel) !== 'file') throw new UserError('E_KATTIS_INVALID', `${join(root, rel)}: not a file`);
  mkdirSync(dirname(join(out, to)), { recursive: true });
  copyFileSync(real, join(out, to));
}

/** Deeper than any package needs: a folder linked into itself ends here rather than looping. */
export const MAX_DEPTH = 32;

/** Copies a file, or a folder with everything in it, from `rel` in the package to `out/to`. */
export function copyEntry(root: string, rel: string, out: string, to: string, depth = 0): void {
  if (kindOf(root, rel) === 'file') return copyFile(root, rel, out, to);
  if (depth > MAX_DEPTH) throw new UserError('E_KATTIS_INVALID', `${join(root, rel)}: folders nested deeper than ${MAX_DEPTH} (a folder linked into itself?)`);
  mkdirSync(join(out, to), { recursive: true });
  for (const name of entriesOf(root, rel)) copyEntry(root, join(rel, name), out, join(to, name), depth + 1);
}
