// `gradebox health`: required checks decide the exit status; kernel audit availability is reported.
import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { fromPackageRoot } from '../../services/common/package-root.js';

const CLI = fromPackageRoot('dist', 'services', 'cli', 'main.js');

function health(env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, 'health', '--json'], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, report: JSON.parse(r.stdout) as { healthy: boolean; checks: Array<{ name: string; ok: boolean; required: boolean; detail: string }> } };
}

test('this host is healthy, runs a sandbox, and says whether kernel audit records can be read', () => {
  const { code, report } = health();
  assert.is(code, 0, JSON.stringify(report));
  assert.ok(report.healthy);
  const names = report.checks.map((c) => c.name);
  assert.ok(names.includes('sandboxed run') && names.includes('kernel audit records'), names.join());
  const audit = report.checks.find((c) => c.name === 'kernel audit records')!;
  assert.is(audit.required, false);
  assert.ok(audit.detail.length > 0);
});

test('a missing launcher makes the host unhealthy: exit 1, the check says which file', () => {
  const { code, report } = health({ GRADEBOX_LAUNCHER: '/nonexistent/gradebox-launch' });
  assert.is(code, 1);
  assert.not.ok(report.healthy);
  const launcher = report.checks.find((c) => c.name === 'launcher')!;
  assert.equal([launcher.ok, launcher.detail], [false, '/nonexistent/gradebox-launch']);
});

test.run();
