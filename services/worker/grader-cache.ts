// Grader folders fetched from the API, unpacked once per digest and checked before use.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { InternalError } from '../common/errors.js';
import { loadGrader } from '../grading/load-grader.js';
import { isSha256Hex } from '../protocol/digest.js';

/** Writes a grader's files into the (new, empty) folder it is given. */
export type GraderFetch = (digest: string, dir: string) => Promise<void>;

/**
 * A folder per digest under `root`. A folder only gets its final name after `loadGrader` found the
 * very digest that was asked for, so a cached grader is always a checked one; concurrent fetches of
 * the same digest share one download.
 */
export class GraderCache {
  private readonly pending = new Map<string, Promise<string>>();

  constructor(private readonly root: string, private readonly fetch: GraderFetch) {}

  async dir(digest: string): Promise<string> {
    if (!isSha256Hex(digest)) throw new InternalError('E_GRADER_DIGEST', `grader digest "${digest}" is not a sha256`);
    const final = join(this.root, digest);
    if (existsSync(final)) return final;
    let fetching = this.pending.get(digest);
    if (!fetching) {
      fetching = this.install(digest, final).finally(() => this.pending.delete(digest));
      this.pending.set(digest, fetching);
    }
    return fetching;
  }

  private async install(digest: string, final: string): Promise<string> {
    mkdirSync(this.root, { recursive: true, mode: 0o700 });
    const partial = join(this.root, `.partial-${randomUUID()}`);
    try {
      await this.fetch(digest, partial);
      const actual = loadGrader(partial).digest;
      if (actual !== digest) throw new InternalError('E_GRADER_DIGEST', `the grader sent for digest ${digest} has digest ${actual}`);
      try {
        renameSync(partial, final);
      } catch (error) {
        // Another worker process on this host installed it meanwhile: theirs is as good.
        if (!existsSync(final)) throw error;
      }
      return final;
    } catch (error) {
      if (error instanceof InternalError) throw error;
      throw new InternalError('E_GRADER_FETCH', `cannot install grader ${digest}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    } finally {
      rmSync(partial, { recursive: true, force: true });
    }
  }
}
