// After many runs, including runs killed mid-way and crashed launchers, nothing remains:
// no sandbox process, no cgroup, no mount, no temp dir.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { spawnSync } from 'node:child_process';

import { config } from '../../services/common/config.js';
import { fromPackageRoot } from '../../services/common/package-root.js';
import { sandboxesClosed, sweepLeftovers } from '../../services/sandbox/launcher.js';
import { resolveLimits } from '../../services/sandbox/limits.js';
import { prepareSandbox, runSandboxed } from '../../services/sandbox/sandbox.js';
import { slotCgroups } from '../support/cgroups.js';
import { removeTempDirs, sh } from '../support/helpers.js';

test.after(removeTempDirs);

const SANDBOX_UID_BASE = 0x40000000;

/** Whether a process is (or was) in a slot cgroup of another cgroup name: a sandbox of someone else. */
function othersSandbox(pid: string): boolean {
  const groups = readFileSync(`/proc/${pid}/cgroup`, 'utf8');
  return /\/slot-\d+/.test(groups) && !groups.includes(`/${config().cgroupName}/slot-`);
}

/**
 * Host pids of processes running as a sandbox uid; `live` leaves out zombies awaiting their
 * reaper. Sandboxes of other cgroup names (other gradebox processes on this host) do not count.
 */
function sandboxProcesses(live = false): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      const uid = /^Uid:\s+(\d+)/m.exec(status);
      if (live && /^State:\s+Z/m.test(status)) continue;
      if (uid && Number(uid[1]) >= SANDBOX_UID_BASE && !othersSandbox(entry)) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

function gradeboxMounts(): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(config().runDir));
}

async function crashMidRun(): Promise<void> {
  const limits = resolveLimits({ wallMs: 10000 });
  const sandbox = prepareSandbox(limits);
  await sandbox.ready;
  const running = runSandboxed({ argv: ['/bin/sleep', '10'], limits, prepared: sandbox });
  await new Promise((r) => setTimeout(r, 50));
  process.kill(sandbox.pid!, 'SIGKILL');
  await running.catch(() => {});
}

test('200 runs, killed and crashed ones among them, leave nothing behind', async () => {
  const kinds = [
    () => sh('echo ok > /box/x; cat /box/x'),
    () => sh('sleep 10', { wallMs: 30 }),
    () => sh('sleep 10 & sleep 10 & while :; do :; done', { cpuMs: 30 }),
    () => sh('yes', { outputKb: 4 }),
    crashMidRun,
  ];
  for (let round = 0; round < 50; round++) {
    // four at a time, one kind after another
    await Promise.all([0, 1, 2, 3].map((i) => kinds[(round * 4 + i) % kinds.length]!()));
  }
  // A run reports before its sandbox is torn down; then crashed launchers leave cgroups, which the
  // sweep at the next start removes.
  await sandboxesClosed();
  await sweepLeftovers();
  // What the sweep killed (a crashed run's sandbox) may take a moment to finish dying.
  for (let waited = 0; sandboxProcesses(true).length && waited < 5000; waited += 50) await new Promise((r) => setTimeout(r, 50));
  assert.equal(sandboxProcesses(true), [], 'no sandbox process remains alive');
  // A crashed launcher's sandbox init is reparented to the host's init, which reaps it in its own time.
  for (let waited = 0; sandboxProcesses().length && waited < 10000; waited += 100) await new Promise((r) => setTimeout(r, 100));
  assert.equal(sandboxProcesses(), [], 'no sandbox zombie remains');
  assert.equal(slotCgroups(), [], 'no cgroup remains');
  assert.equal(gradeboxMounts(), [], 'no mount is visible on the host');
  const layers = join(config().stateDir, 'layers');
  assert.equal(readdirSync(layers).filter((n) => n.startsWith('.')), [], 'no half-built layer remains');
});

test('a crashed run leaves its cgroup only until the next launcher starts', async () => {
  await crashMidRun();
  for (let waited = 0; sandboxProcesses(true).length && waited < 5000; waited += 50) await new Promise((r) => setTimeout(r, 50));
  assert.ok(slotCgroups().length > 0, 'the crashed supervisor could not remove its cgroup');
  const cli = spawnSync(process.execPath, [fromPackageRoot('dist', 'services', 'cli', 'main.js'), 'run', '--', '/bin/true'], { encoding: 'utf8' });
  assert.is(cli.status, 0, cli.stderr);
  assert.equal(slotCgroups(), [], 'the new launcher swept it');
});

test('a cancelled prepared sandbox is torn down', async () => {
  const sandbox = prepareSandbox(resolveLimits({}));
  await sandbox.ready;
  assert.ok(slotCgroups().length > 0, 'the prepared sandbox has its cgroup');
  await sandbox.dispose();
  assert.equal(slotCgroups(), []);
});

test.run();
