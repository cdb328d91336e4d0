// An upload that holds no source file of its assignment's language is refused at once (422, naming
// the extensions expected), rather than queued to fail at the build. The extensions are the
// grader snapshot's (its manifest keeps the language's, services/grading/grader-snapshot.ts);
// snapshots never change, so each digest's list is read once per process.
import { extname } from 'node:path';

import type { Assignment, Store } from '../store/store.js';
import { HttpError } from './http-errors.js';

/** Snapshots whose lists are kept at most: one per grader in use, far fewer than this. */
const MAX_KEPT = 1000;

export class SourceExtensions {
  private readonly byDigest = new Map<string, { language: string; extensions: string[] } | null>();

  constructor(private readonly store: Store) {}

  private async of(digest: string): Promise<{ language: string; extensions: string[] } | null> {
    if (!this.byDigest.has(digest)) {
      const manifest = (await this.store.findGraderSnapshot(digest))?.manifest;
      // Snapshots made before the language was kept are checked at the build, as before.
      const known = manifest?.language && manifest.extensions?.length ? { language: manifest.language, extensions: manifest.extensions } : null;
      if (this.byDigest.size >= MAX_KEPT) this.byDigest.clear();
      this.byDigest.set(digest, known);
    }
    return this.byDigest.get(digest)!;
  }

  /** Refuses (422 E_WRONG_LANGUAGE) files of which none has one of the language's extensions. */
  async check(assignment: Assignment, paths: string[]): Promise<void> {
    const expected = await this.of(assignment.graderDigest);
    if (!expected || paths.some((path) => expected.extensions.includes(extname(path)))) return;
    const shown = paths.slice(0, 5).join(', ') + (paths.length > 5 ? ', …' : '');
    throw new HttpError(422, 'E_WRONG_LANGUAGE',
      `assignment "${assignment.name}" is graded as ${expected.language}: send at least one ${expected.extensions.join(' or ')} file (got ${shown})`);
  }
}
