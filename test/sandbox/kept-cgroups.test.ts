// A supervisor keeps its slot's cgroups (on v1: pids, cpuacct, cpuset) from one sandbox to the
// next (cgroup-v1.c). Attacks: what one run could leave in them for the next run of the same slot
// (a pids limit, a CPU pin, CPU time, memory); and their removal when the launcher ends.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { fromPackageRoot } from '../../services/common/package-root.js';
import { resolveLimits, type Limits } from '../../services/sandbox/limits.js';
import { prepareSandbox, runSandboxed, type RunResult } from '../../services/sandbox/sandbox.js';
import { allSlotCgroups, removeCgroupParents } from '../support/cgroups.js';
import { until } from '../support/queue-fixtures.js';
import { descendants, slotCgroupsOf } from '../support/process-tree.js';

const slotsUsed = new Set<string>();

/**
 * One run in a prepared sandbox, noting its slot's cgroup. This file runs one sandbox at a time,
 * so its launcher has one supervisor, and every run here has the same slot: the test is about that.
 */
async function runInSlot(argv: string[], limits: Partial<Limits>): Promise<RunResult> {
  const resolved = resolveLimits(limits);
  const sandbox = prepareSandbox(resolved);
  await sandbox.ready;
  for (const dir of slotCgroupsOf(descendants(sandbox.pid!))) slotsUsed.add(dir.slice(dir.lastIndexOf('/') + 1));
  const result = await runSandboxed({ argv, limits: resolved, prepared: sandbox });
  await sandbox.closed;
  assert.is(slotsUsed.size, 1, `every run of this file shares one slot: ${[...slotsUsed].join(' ')}`);
  return result;
}

/** Starts 20 background processes (with a pids limit, the shell stops at the first fork refused). */
const FORK_20 = ['/bin/sh', '-c', 'i=0; while [ $i -lt 20 ]; do sleep 0.3 & i=$((i+1)); done; echo started 20'];

test('attack: a tight pids limit of one run does not hold the next run of the slot', async () => {
  const tight = await runInSlot(FORK_20, { pids: 8 });
  assert.not.match(tight.stdout, /started 20/, 'the first run could not start 20 processes');
  const loose = await runInSlot(FORK_20, { pids: 64 });
  assert.match(loose.stdout, /started 20/, `the next one could: ${loose.stderr}`);
});

test('attack: a loose pids limit of one run does not carry over to a tighter next run', async () => {
  assert.match((await runInSlot(FORK_20, { pids: 64 })).stdout, /started 20/);
  const tight = await runInSlot(FORK_20, { pids: 8 });
  assert.not.match(tight.stdout, /started 20/, 'the next run has its own, tighter limit');
});

test('attack: a CPU pin of one run does not carry over to the next run of the slot', async () => {
  if (cpus().length < 2) return; // one CPU: nothing to pin apart
  const allowed = ['/bin/sh', '-c', 'grep Cpus_allowed_list /proc/self/status'];
  assert.match((await runInSlot(allowed, { cpuset: '1' })).stdout, /:\s*1\n/);
  assert.match((await runInSlot(allowed, { cpuset: '0' })).stdout, /:\s*0\n/, 'pinned elsewhere');
  const unpinned = await runInSlot(allowed, {});
  assert.not.match(unpinned.stdout, /:\s*[01]\n/, `an unpinned run may use every CPU again: ${unpinned.stdout}`);
});

test('attack: CPU time spent by one run is not charged to the next run of the slot', async () => {
  const burner = await runInSlot(['/bin/sh', '-c', 'while :; do :; done'], { cpuMs: 300 });
  assert.is(burner.status, 'time_limit');
  const next = await runInSlot(['/bin/true'], { cpuMs: 300 });
  assert.is(next.status, 'ok', 'the next run was not cut short by the CPU time of the one before');
  assert.ok(next.cpu_ms < 100, `cpu_ms ${next.cpu_ms}`);
});

/** A big host file every sandbox sees (gcc's LTO compiler, in /usr/lib, rarely used), out of the page cache. */
function uncachedHostFile(): string {
  const gccDir = '/usr/lib/gcc/x86_64-linux-gnu';
  const path = join(gccDir, readdirSync(gccDir).find((v) => existsSync(join(gccDir, v, 'lto1')))!, 'lto1');
  const dd = spawnSync('dd', [`if=${path}`, 'iflag=nocache', 'count=0', 'status=none']);
  assert.is(dd.status, 0, `evict ${path} from the page cache`);
  return path;
}

test('attack: page cache one run filled is not charged to the next run of the slot', async () => {
  // Pages a sandbox reads into the page cache stay charged to its memory cgroup after it ended:
  // were that cgroup kept, the next run would find them in its peak and against its limit.
  const big = uncachedHostFile();
  const reader = await runInSlot(['/bin/sh', '-c', `cat ${big} > /dev/null`], { memoryMb: 256 });
  assert.is(reader.status, 'ok', reader.stderr);
  assert.ok(reader.memory_kb > 16 * 1024, `the reader's peak ${reader.memory_kb} KiB: the file's pages were charged to it`);
  const next = await runInSlot(['/bin/true'], { memoryMb: 16 });
  assert.is(next.status, 'ok', next.stderr);
  assert.ok(next.memory_kb < 8 * 1024, `the next run's peak ${next.memory_kb} KiB`);
});

test('a launcher that ends removes the cgroups its supervisors kept', async () => {
  const cgroupName = `gbx-kept-${process.pid}`;
  const cli = spawnSync(process.execPath, [fromPackageRoot('dist', 'services', 'cli', 'main.js'), 'run', '--', '/bin/true'],
    { encoding: 'utf8', env: { ...process.env, GRADEBOX_CGROUP_NAME: cgroupName } });
  assert.is(cli.status, 0, cli.stderr);
  // The supervisors end once the launcher's channel closes, a moment after the command has.
  await until(() => allSlotCgroups(cgroupName).length === 0, 10_000, `no slot cgroup left: ${allSlotCgroups(cgroupName).join(' ')}`);
  removeCgroupParents(cgroupName);
});

test.run();
