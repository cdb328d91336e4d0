// The sandboxes' cgroups as tests look at them, on either hierarchy: cgroup v1 (one directory
// per controller) or v2 (one unified tree). Tests check what the machine they run on has.
import { existsSync, readFileSync, readdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';

import { config } from '../../services/common/config.js';

/** The unified hierarchy has cgroup.controllers at its root; a v1 /sys/fs/cgroup is a tmpfs of controller mounts. */
export const CGROUP_V2 = existsSync('/sys/fs/cgroup/cgroup.controllers');

/** The launcher's v1 controllers (cpu is not one of them, but a test's parent may have it). */
const V1_CONTROLLERS = ['memory', 'pids', 'cpuacct', 'cpuset', 'freezer', 'cpu'];

/** The folders a cgroup name has: one per v1 controller, or one in the v2 tree. */
function groupDirs(cgroupName: string): string[] {
  return CGROUP_V2 ? [`/sys/fs/cgroup/${cgroupName}`] : V1_CONTROLLERS.map((c) => `/sys/fs/cgroup/${c}/${cgroupName}`);
}

/** Every slot cgroup under a cgroup name that exists now (on v1, each slot once per controller). */
export function allSlotCgroups(cgroupName = config().cgroupName): string[] {
  return groupDirs(cgroupName).filter((dir) => existsSync(dir))
    .flatMap((dir) => readdirSync(dir).filter((n) => n.startsWith('slot-')).map((n) => join(dir, n)));
}

/**
 * Slot cgroups under a cgroup name that hold a sandbox now. On v1 a supervisor keeps its slot's
 * pids, cpuacct and cpuset cgroups, empty, for its next sandbox (cgroup-v1.c): those count only
 * with a process in them; the memory cgroup is made per sandbox.
 */
export function slotCgroups(cgroupName = config().cgroupName): string[] {
  return allSlotCgroups(cgroupName).filter((dir) => CGROUP_V2 || dir.startsWith('/sys/fs/cgroup/memory/') || hasProcesses(dir));
}

/** Whether a cgroup holds a process now (false once it is removed). */
export function hasProcesses(dir: string): boolean {
  try {
    return readFileSync(join(dir, 'cgroup.procs'), 'utf8').trim() !== '';
  } catch {
    return false; // removed while we looked
  }
}

/** Sandboxes of a cgroup name that exist now (one slot cgroup each, however many controllers). */
export function sandboxCount(cgroupName = config().cgroupName): number {
  return new Set(slotCgroups(cgroupName).map((dir) => dir.slice(dir.lastIndexOf('/') + 1))).size;
}

/** The cgroup folder whose cgroup.procs lists `pid`: its v1 pids cgroup, or its v2 cgroup. */
export function cgroupOf(pid: number): string | undefined {
  const lines = readFileSync(`/proc/${pid}/cgroup`, 'utf8');
  const path = (CGROUP_V2 ? /^0::(\/.*)$/m : /^\d+:pids:(\/.*)$/m).exec(lines)?.[1];
  return path === undefined ? undefined : `/sys/fs/cgroup${CGROUP_V2 ? '' : '/pids'}${path}`;
}

/**
 * Removes the parent cgroups a test's own cgroup name left, with the empty slot cgroups a killed
 * supervisor kept for its next sandbox (which the sweep at the next start would remove).
 */
export function removeCgroupParents(cgroupName: string): void {
  for (const dir of allSlotCgroups(cgroupName)) rmdirSync(dir);
  for (const dir of groupDirs(cgroupName)) if (existsSync(dir)) rmdirSync(dir);
}
