// Stopping a sandbox at an incident: every process, grandchildren included, is stopped before the
// evidence is taken; the offender's call cannot be withdrawn by a signal once it has been read.
import { readFileSync, statSync } from 'node:fs';
import { release } from 'node:os';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { canonicalEnvironment } from '../../services/sandbox/environment.js';
import { resolveLimits } from '../../services/sandbox/limits.js';
import { prepareSandbox } from '../../services/sandbox/sandbox.js';
import { installedPolicy } from '../../services/sandbox/seccomp-program.js';
import { removeTempDirs, run } from '../support/helpers.js';

test.after(removeTempDirs);

test('the filter is installed to wait killable once read where the kernel has it (Linux 5.19+)', async () => {
  const limits = resolveLimits({});
  const report = await prepareSandbox(limits).run({ argv: ['/bin/true'], env: canonicalEnvironment(), limits, seccompPath: installedPolicy('default').path });
  const [major = 0, minor = 0] = release().split('.').map(Number);
  assert.is(report.seccomp_wait_killable, major > 5 || (major === 5 && minor >= 19), `kernel ${release()}`);
});

/** The program forks a child that forks a ticker: the ticker is no child of the sandbox's init. */
const TICKER_THEN_VIOLATION = `
import ctypes, os, time
os.mkdir('/tmp/ticks')
if os.fork() == 0:
    if os.fork() == 0:
        i = 0
        while True:
            with open('/tmp/ticks/%06d' % i, 'w') as f: f.write('tick')
            i += 1
            time.sleep(0.001)
    while True: time.sleep(1)
while len(os.listdir('/tmp/ticks')) < 20: time.sleep(0.005)
for n in range(3):
    with open('/box/ballast%d' % n, 'wb') as f: f.write(os.urandom(16 << 20))
print('violating', flush=True)
ctypes.CDLL(None).syscall(101, 0, 0, 0, 0)
`;

interface ManifestEntry { path: string; type: string; mtime: number; mtime_nsec: number }

test('a grandchild that keeps writing files is stopped before the evidence is taken', async () => {
  const r = await run(['python3', '-c', TICKER_THEN_VIOLATION], { memoryMb: 512, cpuMs: 20_000, wallMs: 30_000 }, { policy: 'python' });
  assert.is(r.status, 'violation', r.stderr);
  assert.is(r.stdout, 'violating\n');
  assert.equal(r.incident?.steps, ['stopped', 'snapshotted', 'killed']);
  // The archive is created when the snapshot starts, after the stop; it then hashes 48 MiB of /box
  // before it lists /tmp, so a ticker still running would leave ticks newer than the archive.
  const snapshotStarted = statSync(r.incident!.evidence!).birthtimeMs;
  const manifest = JSON.parse(readFileSync(r.incident!.manifest!, 'utf8')) as { entries: ManifestEntry[] };
  const ticks = manifest.entries.filter((e) => e.path.startsWith('tmp/ticks/') && e.type === 'file');
  assert.ok(ticks.length >= 20, `the ticker ran before the incident: ${ticks.length} ticks`);
  const late = ticks.filter((t) => t.mtime * 1000 + t.mtime_nsec / 1e6 > snapshotStarted + 10);
  assert.equal(late.map((t) => t.path), [], 'ticks written after the snapshot started');
});

test.run();
