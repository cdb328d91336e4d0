// Job scratch folders carry their worker's pid, so a worker starting later removes those of dead ones.
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export const SCRATCH_PREFIX = 'gradebox-job-';

/** The prefix of this process's job folders (mkdtemp adds the random part). */
export function scratchPrefix(): string {
  return `${SCRATCH_PREFIX}${process.pid}-`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes job folders under `root` left by worker processes that no longer run (killed, crashed); returns how many. */
export function sweepScratch(root: string): number {
  let removed = 0;
  for (const name of readdirSync(root)) {
    const pid = new RegExp(`^${SCRATCH_PREFIX}(\\d+)-`).exec(name)?.[1];
    if (pid === undefined || alive(Number(pid))) continue;
    rmSync(join(root, name), { recursive: true, force: true });
    removed += 1;
  }
  return removed;
}
