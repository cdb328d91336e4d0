// Test globs of grader.yaml: `tests/*.in` becomes one test per matched x.in, paired with x.out, in natural order.
import { existsSync, readdirSync } from 'node:fs';
import { posix, resolve } from 'node:path';

import { invalidField, type GraderContext } from './grader-errors.js';
import { graderFile, graderPath } from './grader-paths.js';

/** Orders digit runs by value, so tests/2.in comes before tests/10.in. */
export function naturalCompare(a: string, b: string): number {
  const pa = a.split(/(\d+)/);
  const pb = b.split(/(\d+)/);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i] ?? '';
    const y = pb[i] ?? '';
    if (x === y) continue;
    // split() with a capture group puts the digit runs at the odd indexes.
    if (i % 2 === 1) {
      const nx = x.replace(/^0+(?=\d)/, '');
      const ny = y.replace(/^0+(?=\d)/, '');
      if (nx.length !== ny.length) return nx.length - ny.length;
      if (nx !== ny) return nx < ny ? -1 : 1;
      continue;
    }
    return x < y ? -1 : 1;
  }
  if (pa.length !== pb.length) return pa.length - pb.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

function globRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.');
  return new RegExp(`^${body}$`);
}

/** `tests/*.in` becomes [[tests/1.in, tests/1.out], ...]: one folder level, wildcards in the name only. */
export function expandGlob(ctx: GraderContext, pattern: string, field: string): Array<{ stdin: string; expect: string }> {
  const folder = posix.dirname(pattern);
  const name = posix.basename(pattern);
  if (/[*?]/.test(folder)) invalidField(ctx, field, `${pattern}: put * and ? in the file name only, such as tests/*.in`);
  if (!name.endsWith('.in')) invalidField(ctx, field, `${pattern} must end in .in (each x.in is paired with x.out), such as tests/*.in`);
  const folderPath = graderPath(ctx, folder, field, 'folder');
  const match = globRegExp(name);
  const names = readdirSync(folderPath).filter((entry) => match.test(entry)).sort(naturalCompare);
  if (names.length === 0) invalidField(ctx, field, `${pattern} matches no file; add the test files, or fix the pattern`);
  return names.map((entry) => {
    const stdinRel = posix.join(folder, entry);
    const expectRel = `${stdinRel.slice(0, -'.in'.length)}.out`;
    const stdin = graderFile(ctx, stdinRel, field);
    if (!existsSync(resolve(ctx.root, expectRel))) {
      invalidField(ctx, field, `${stdinRel} has no expected output ${expectRel}; add it, or remove ${stdinRel}`);
    }
    return { stdin, expect: graderFile(ctx, expectRel, field) };
  });
}
