// Sandboxes prepared ahead of their run: built at idle CPU priority and raised before the run;
// a run reports before its sandbox is torn down, and the teardown still leaves nothing behind.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { PreparedSandbox, sandboxesClosed } from '../../services/sandbox/launcher.js';
import { resolveLimits } from '../../services/sandbox/limits.js';
import { PoolsByCpu, SandboxPool } from '../../services/sandbox/pool.js';
import { defaultLayoutOnce, prepareSandbox, runSandboxed, scratchKbFor } from '../../services/sandbox/sandbox.js';
import { cgroupOf, hasProcesses, sandboxCount } from '../support/cgroups.js';
import { removeTempDirs } from '../support/helpers.js';

test.after(removeTempDirs);

const SCHED_OTHER = 0;
const SCHED_IDLE = 5;

/** Scheduling policy of a host process (proc(5): field 41 of /proc/PID/stat). */
function policyOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[38]);
}

interface SandboxProcesses {
  /** Host pids in the sandbox's slot cgroup (while prepared: only its init). */
  pids: number[];
  /** The slot's cgroup (v1: its pids cgroup). */
  cgroup: string;
}

/** The processes and cgroup of the sandbox a supervisor serves now. */
function sandboxOf(supervisor: number): SandboxProcesses {
  const init = readdirSync('/proc').filter((e) => /^\d+$/.test(e)).map(Number).find((pid) => {
    try {
      return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1] === String(supervisor);
    } catch {
      return false;
    }
  });
  assert.ok(init, 'the supervisor has a child: the sandbox init');
  const cgroup = cgroupOf(init) ?? '';
  assert.ok(cgroup.includes('/slot-'), `the init is in its slot's cgroup (${cgroup})`);
  return { pids: readFileSync(`${cgroup}/cgroup.procs`, 'utf8').trim().split('\n').map(Number), cgroup };
}

function sandboxPids(supervisor: number): number[] {
  return sandboxOf(supervisor).pids;
}

/**
 * Every process of the sandbox has ended and its cgroup is removed: on v1 its memory cgroup, while
 * the slot's pids cgroup may stay, empty, for the supervisor's next sandbox (cgroup-v1.c).
 */
function assertGone(sandbox: SandboxProcesses): void {
  assert.equal(sandbox.pids.filter(alive), [], 'the sandbox processes are gone');
  assert.not.ok(existsSync(sandbox.cgroup.replace('/sys/fs/cgroup/pids/', '/sys/fs/cgroup/memory/')), `${sandbox.cgroup}'s memory cgroup is removed`);
  assert.not.ok(hasProcesses(sandbox.cgroup), `${sandbox.cgroup} is removed or empty`);
}

function alive(pid: number): boolean {
  return existsSync(`/proc/${pid}`);
}

test('a background sandbox waits at idle priority; its run is at normal priority', async () => {
  const limits = resolveLimits({});
  const sandbox = prepareSandbox(limits, defaultLayoutOnce(), { background: true });
  await sandbox.ready;
  const supervisor = sandbox.pid!;
  try {
    const waiting = sandboxPids(supervisor);
    assert.is(waiting.length, 1, 'only the init waits for the run (the program is started then)');
    assert.equal([supervisor, ...waiting].map(policyOf), [SCHED_IDLE, SCHED_IDLE]);
  } catch (error) {
    await sandbox.dispose();
    throw error;
  }
  const r = await runSandboxed({ argv: ['/bin/sh', '-c', 'cut -d" " -f41 /proc/1/stat /proc/self/stat /proc/$$/stat'], limits, prepared: sandbox });
  assert.is(r.status, 'ok', r.stderr);
  assert.equal(r.stdout.trim().split('\n').map(Number), [SCHED_OTHER, SCHED_OTHER, SCHED_OTHER], 'init, the program and its children');
  await sandbox.closed;
});

test('a sandbox prepared without background waits at normal priority', async () => {
  const sandbox = prepareSandbox(resolveLimits({}));
  await sandbox.ready;
  try {
    assert.equal([sandbox.pid!, ...sandboxPids(sandbox.pid!)].map(policyOf), [SCHED_OTHER, SCHED_OTHER]);
  } finally {
    await sandbox.dispose();
  }
});

/**
 * One busy loop per CPU at normal priority, for the duration of fn. fn starts only once every loop
 * is spinning: spawning a shell takes longer here than building a sandbox, so a sandbox asked for
 * right after the spawn could be built on CPUs that are still idle.
 */
async function withCpusBusy<T>(fn: () => Promise<T>): Promise<T> {
  const loops = cpus().map(() => spawn('/bin/sh', ['-c', 'echo spinning; while :; do :; done'], { stdio: ['ignore', 'pipe', 'ignore'] }));
  try {
    await Promise.all(loops.map((loop) => new Promise((resolve, reject) => {
      loop.stdout.once('data', resolve);
      loop.once('exit', () => reject(new Error('a busy loop ended before it spun')));
    })));
    await new Promise((resolve) => setTimeout(resolve, 20)); // past the echo, into the loop
    return await fn();
  } finally {
    for (const loop of loops) loop.kill('SIGKILL');
    await Promise.all(loops.map((loop) => (loop.exitCode !== null || loop.signalCode !== null ? undefined : new Promise((r) => loop.once('exit', r)))));
  }
}

test('on busy CPUs a background sandbox yields to a normal one, until its run is wanted', async () => {
  const limits = resolveLimits({});
  await withCpusBusy(async () => {
    const background = prepareSandbox(limits, defaultLayoutOnce(), { background: true });
    const normal = prepareSandbox(limits);
    try {
      let built = false;
      void background.ready.then(() => { built = true; });
      await normal.ready;
      assert.not.ok(built, 'the normal sandbox, asked for after the background one, is built first');
      // Wanted now, it is raised (its processes' policy after the raise: the first test) and runs.
      const r = await runSandboxed({ argv: ['/bin/true'], limits, prepared: background });
      assert.is(r.status, 'ok', r.stderr);
    } finally {
      // A failed check must not leave a sandbox waiting: later tests wait for every teardown.
      await Promise.all([background, normal].map((s) => (s.used ? s.closed : s.dispose())));
    }
  });
});

test('a run reports before the teardown, which follows: the sandbox processes and its cgroup go', async () => {
  const limits = resolveLimits({});
  const sandbox = prepareSandbox(limits);
  await sandbox.ready;
  const processes = sandboxOf(sandbox.pid!);
  // A background process that gave up its output does not hold the report back, and dies with the sandbox.
  const r = await runSandboxed({ argv: ['/bin/sh', '-c', 'sleep 30 </dev/null >/dev/null 2>&1 & echo $!'], limits, prepared: sandbox });
  assert.is(r.status, 'ok', r.stderr);
  assert.ok(r.wall_ms < 5000, `wall_ms ${r.wall_ms}`);
  await sandbox.closed;
  assertGone(processes);
  const sleepers = readdirSync('/proc').filter((e) => /^\d+$/.test(e)).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8') === 'sleep\u000030\u0000' && Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) >= 0x40000000;
    } catch {
      return false;
    }
  });
  assert.equal(sleepers, [], 'the background sleep died with its sandbox');
});

test('the program\'s own resource usage comes with the early report', async () => {
  const limits = resolveLimits({});
  const sandbox = prepareSandbox(limits);
  const report = await sandbox.run({ argv: ['/usr/bin/python3', '-c', 'x = bytearray(32 << 20); print(len(x))'], env: {}, limits });
  assert.is(report.exit_code, 0, report.stderr.toString());
  assert.ok(report.maxrss_kb >= 32 * 1024, `maxrss_kb ${report.maxrss_kb}`);
  assert.ok(report.memory_kb >= 32 * 1024, `memory_kb ${report.memory_kb}`);
});

test('closing a pool waits until the sandboxes it handed out are gone', async () => {
  const limits = resolveLimits({});
  const pool = new SandboxPool({ layout: defaultLayoutOnce(), scratchKb: scratchKbFor(limits), size: 2 });
  const sandboxes: SandboxProcesses[] = [];
  for (let i = 0; i < 3; i++) {
    const sandbox: PreparedSandbox = pool.take();
    await sandbox.ready;
    sandboxes.push(sandboxOf(sandbox.pid!));
    const r = await runSandboxed({ argv: ['/bin/true'], limits, prepared: sandbox });
    assert.is(r.status, 'ok');
  }
  const unused = pool.take();
  await unused.ready;
  sandboxes.push(sandboxOf(unused.pid!));
  await pool.close();
  assert.equal(sandboxes.flatMap((s) => s.pids).filter(alive), [], 'every sandbox, the unused one too, is gone');
  await sandboxesClosed();
  assert.is(sandboxCount(), 0);
});

test('a pool that knows its demand prepares no sandbox it will not hand out', async () => {
  const limits = resolveLimits({});
  const pool = new SandboxPool({ layout: defaultLayoutOnce(), scratchKb: scratchKbFor(limits), size: 2, demand: 3 });
  try {
    const taken = [pool.take(), pool.take(), pool.take()];
    await Promise.all(taken.map((s) => s.ready));
    await new Promise((resolve) => setTimeout(resolve, 300)); // a spare, if one were started, is built by now
    assert.is(sandboxCount(), 3, 'the three handed out, no spare');
  } finally {
    await pool.close();
  }
  await sandboxesClosed();
  assert.is(sandboxCount(), 0);
});

/** The CPUs a host process may run on (proc(5): Cpus_allowed_list). */
function cpusAllowed(pid: number): string {
  return /^Cpus_allowed_list:\s*(\S+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]!;
}

test('a sandbox is built on the CPU its run is pinned to, and a run pinned elsewhere is moved there', async () => {
  if (cpus().length < 2) return console.log('  (one CPU: nothing to pin apart)');
  const pinned = resolveLimits({ cpuset: '1' });
  const sandbox = prepareSandbox(pinned);
  await sandbox.ready;
  assert.is(cpusAllowed(sandbox.pid!), '1', 'its supervisor works on CPU 1');
  assert.equal(sandboxOf(sandbox.pid!).pids.map(cpusAllowed), ['1'], 'its init waits on CPU 1');
  const here = await runSandboxed({ argv: ['/bin/sh', '-c', 'grep Cpus_allowed_list /proc/self/status'], limits: pinned, prepared: sandbox });
  assert.match(here.stdout, /Cpus_allowed_list:\s*1\n/);
  const elsewhere = prepareSandbox(pinned);
  const moved = await runSandboxed({ argv: ['/bin/sh', '-c', 'grep Cpus_allowed_list /proc/self/status'], limits: resolveLimits({ cpuset: '0' }), prepared: elsewhere });
  assert.match(moved.stdout, /Cpus_allowed_list:\s*0\n/, 'the run\'s own cpuset wins');
});

test('pools by CPU build each sandbox on its CPU, prepare no more than their shared demand, and share spares once it is met', async () => {
  if (cpus().length < 2) return console.log('  (one CPU: nothing to pin apart)');
  const limits = resolveLimits({});
  const pools = new PoolsByCpu({ layout: defaultLayoutOnce(), scratchKb: scratchKbFor(limits), size: 2, demand: 4 });
  const settled = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 300)); // spares started are built by now
  try {
    const onZero = pools.take('0');
    const onOne = pools.take('1');
    await Promise.all([onZero.ready, onOne.ready]);
    assert.is(cpusAllowed(onZero.pid!), '0');
    assert.is(cpusAllowed(onOne.pid!), '1');
    await settled();
    assert.is(sandboxCount(), 4, 'two handed out, two spares on CPU 0: the demand of four, across both CPUs');
    const borrowed = pools.take('1');
    await borrowed.ready;
    assert.is(cpusAllowed(borrowed.pid!), '0', 'CPU 1 had no spare left: it took CPU 0\'s');
    await settled();
    assert.is(sandboxCount(), 4, 'and none was built beyond the demand');
    const r = await runSandboxed({ argv: ['/bin/sh', '-c', 'grep Cpus_allowed_list /proc/self/status'], limits: resolveLimits({ cpuset: '1' }), prepared: borrowed });
    assert.match(r.stdout, /Cpus_allowed_list:\s*1\n/, 'its run is moved to CPU 1');
  } finally {
    await pools.close();
  }
  await sandboxesClosed();
  assert.is(sandboxCount(), 0);
});

test('a supervisor serves one sandbox after another, each fresh', async () => {
  const limits = resolveLimits({});
  const first = prepareSandbox(limits);
  await first.ready;
  const supervisor = first.pid!;
  const planted = await runSandboxed({ argv: ['/bin/sh', '-c', 'echo left > /tmp/mark; echo left > /box/mark; echo pid $$'], limits, prepared: first });
  assert.is(planted.status, 'ok', planted.stderr);
  await first.closed;
  const second = prepareSandbox(limits);
  await second.ready;
  assert.is(second.pid, supervisor, 'the idle supervisor took the next sandbox');
  const r = await runSandboxed({ argv: ['/bin/sh', '-c', 'cat /tmp/mark /box/mark 2>/dev/null; echo pid $$'], limits, prepared: second });
  assert.is(r.status, 'ok', r.stderr);
  assert.is(r.stdout, planted.stdout, 'nothing of the first in /tmp or /box; the program is again the first of a new pid namespace');
  await second.closed;
});

test('a supervisor is retired after 200 sandboxes; a new one serves the next', async () => {
  const limits = resolveLimits({});
  const served = new Map<number, number>(); // supervisor pid -> sandboxes of this test
  for (let i = 0; i < 201; i++) {
    const sandbox = prepareSandbox(limits);
    await sandbox.ready;
    served.set(sandbox.pid!, (served.get(sandbox.pid!) ?? 0) + 1);
    const r = await runSandboxed({ argv: ['/bin/true'], limits, prepared: sandbox });
    assert.is(r.status, 'ok', r.stderr);
    await sandbox.closed;
  }
  assert.ok(served.size >= 2, 'more than one supervisor served 201 sandboxes');
  assert.ok(Math.max(...served.values()) <= 200);
  // The first (idle ones are taken in a fixed order) served up to its 200th sandbox, then left.
  const first = [...served.keys()][0]!;
  for (let waited = 0; alive(first) && waited < 5000; waited += 50) await new Promise((r) => setTimeout(r, 50));
  assert.not.ok(alive(first), `supervisor ${first} retired`);
});

test('a supervisor that handled an incident serves no other sandbox', async () => {
  const limits = resolveLimits({});
  const sandbox = prepareSandbox(limits);
  await sandbox.ready;
  const supervisor = sandbox.pid!;
  const r = await runSandboxed({ argv: ['/usr/bin/python3', '-c', 'import ctypes; ctypes.CDLL(None).syscall(101, 0, 0, 0, 0)'], limits, prepared: sandbox });
  assert.is(r.status, 'violation', r.stderr);
  await sandbox.closed;
  assert.not.ok(alive(supervisor), 'it is gone');
  const next = prepareSandbox(limits);
  await next.ready;
  assert.is.not(next.pid, supervisor);
  await next.dispose();
});

test('sandboxes cancelled as soon as they are asked for leave the launcher serving', async () => {
  const limits = resolveLimits({});
  // Each cancel may reach its supervisor before it has even read its PREPARE.
  const cancelled = Array.from({ length: 24 }, () => prepareSandbox(limits, defaultLayoutOnce(), { background: true }));
  await Promise.all(cancelled.map((s) => s.dispose()));
  const r = await runSandboxed({ argv: ['/bin/echo', 'still serving'], limits });
  assert.is(r.status, 'ok', r.stderr);
  assert.is(r.stdout, 'still serving\n');
  await sandboxesClosed();
  assert.is(sandboxCount(), 0);
});

test('sandboxesClosed waits for every teardown of this process', async () => {
  const limits = resolveLimits({});
  const sandboxes = [prepareSandbox(limits), prepareSandbox(limits)];
  await Promise.all(sandboxes.map((s) => s.ready));
  const processes = sandboxes.map((s) => sandboxOf(s.pid!));
  await Promise.all(sandboxes.map((s) => runSandboxed({ argv: ['/bin/true'], limits, prepared: s })));
  await sandboxesClosed();
  for (const p of processes) assertGone(p);
});

test.run();
