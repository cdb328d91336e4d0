// The sandbox on the cgroup hierarchy this host does not have: a guest machine (qemu) with only
// that one mounted runs the sandbox tests that exercise cgroups (limits, stopping and killing on a
// violation, sweeping what a crash left, teardown). The other test files run on the host's own.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { packageRoot } from '../../services/common/package-root.js';
import { CGROUP_V2 } from '../support/cgroups.js';
import { removeTempDirs } from '../support/helpers.js';
import { runInGuest } from '../support/vm-guest.js';

test.after(removeTempDirs);

const OTHER = CGROUP_V2 ? 'v1' : 'v2';
/** The test files that create, limit, stop, kill and remove cgroups. */
const FILES = ['sandbox/statuses', 'sandbox/hardening', 'sandbox/leftovers', 'sandbox/prepared', 'sandbox/violations', 'sandbox/incident-stop', 'sandbox/containment'];
/** Software emulation is some 5 to 10 times slower than the host: about 2.5 minutes here. */
const GUEST_TIMEOUT_MS = 6 * 60 * 1000;

/** Prints the cgroup hierarchy the launcher reports it used for one run. */
const LAUNCHER_REPORT = [
  "import { resolveLimits } from './dist/services/sandbox/limits.js';",
  "import { prepareSandbox } from './dist/services/sandbox/sandbox.js';",
  'const limits = resolveLimits({}); const sandbox = prepareSandbox(limits);',
  "const report = await sandbox.run({ argv: ['/bin/true'], env: {}, limits });",
  'console.log(report.cgroup); await sandbox.closed; process.exit(0);',
].join(' ');

test(`in a guest with only cgroup ${OTHER}, the cgroup sandbox tests pass`, async () => {
  const script = `set -e; cd '${packageRoot}'; export HOME=/tmp PATH='${dirname(process.execPath)}':/usr/bin:/bin GRADEBOX_STATE_DIR=/tmp/gradebox-state
node dist/services/cli/main.js health --json > /run/out/health.json
node --input-type=module -e "${LAUNCHER_REPORT}" > /run/out/launcher-cgroup
node dist/test/run-tests.js ${FILES.join(' ')}`;
  const guest = await runInGuest(OTHER, script, GUEST_TIMEOUT_MS);
  const tail = guest.output.slice(-3000);
  const summary = /^(\d+) passed, (\d+) failed$/m.exec(guest.output);
  assert.ok(summary, `the guest's test run ended with its summary:\n${tail}`);
  assert.is(Number(summary[2]), 0, `no test failed in the guest:\n${tail}`);
  assert.ok(Number(summary[1]) >= 70, `every file ran (${summary[1]} tests passed)`);
  for (const file of FILES) assert.match(guest.output, `# ${file}.test.js`, `${file} ran`);
  assert.is(guest.exitCode, 0);
  // The machine check sees only that hierarchy, and the launcher's report says it used it.
  const health = JSON.parse(readFileSync(join(guest.outDir, 'health.json'), 'utf8')) as { checks: Array<{ name: string; detail: string }> };
  assert.is(health.checks.find((c) => c.name === 'cgroups')?.detail, OTHER);
  assert.is(readFileSync(join(guest.outDir, 'launcher-cgroup'), 'utf8').trim(), OTHER);
});

test.run();
