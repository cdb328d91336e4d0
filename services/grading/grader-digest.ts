// A grader's digest: sha256 over its canonical grader.yaml and every file the definition names.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

import type { GraderDefinition } from './grader-definition.js';

/** sha256 over the canonical grader.yaml and every named file, sorted by path; each part is framed
 * with its name and length so no two different folders hash alike. */
export function graderDigest(root: string, canonical: string, paths: string[]): string {
  const hash = createHash('sha256');
  hash.update(`grader.yaml\0${Buffer.byteLength(canonical)}\0${canonical}`);
  const rels = [...new Set(paths.map((p) => relative(root, p).split(sep).join('/')))].sort();
  for (const rel of rels) {
    const bytes = readFileSync(join(root, rel));
    hash.update(`\0${rel}\0${bytes.length}\0`);
    hash.update(bytes);
  }
  return hash.digest('hex');
}

/** Every file the definition names (absolute paths as written, maybe repeated): what its digest covers besides grader.yaml. */
export function referencedFiles(def: Omit<GraderDefinition, 'digest'>): string[] {
  return [
    ...def.files,
    ...def.tests.flatMap((t) => [...(t.stdin ? [t.stdin] : []), ...(t.expect ? [t.expect] : []), ...t.files]),
    ...(def.customChecker?.files ?? []),
    ...(def.interactor?.files ?? []),
    ...(def.harness?.files ?? []),
    ...(def.harness?.candidate.files ?? []),
  ];
}
