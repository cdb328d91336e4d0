// What a service left running, as tests look for it: the processes below a pid (from /proc) and
// the sandbox cgroups they are in.
import { readdirSync, readFileSync } from 'node:fs';

import { cgroupOf } from './cgroups.js';

/** Every process below `root` (its launcher, supervisors, sandboxes), from /proc. */
export function descendants(root: number): number[] {
  const parents = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parents.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // ended meanwhile
    }
  }
  const found: number[] = [];
  const walk = (pid: number): void => {
    for (const [child, parent] of parents) if (parent === pid) { found.push(child); walk(child); }
  };
  walk(root);
  return found;
}

/** The sandbox cgroups these processes are in. */
export function slotCgroupsOf(pids: number[]): string[] {
  const dirs = new Set<string>();
  for (const pid of pids) {
    try {
      const dir = cgroupOf(pid);
      if (dir?.includes('/slot-')) dirs.add(dir);
    } catch {
      // ended meanwhile
    }
  }
  return [...dirs];
}
