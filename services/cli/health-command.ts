// `gradebox health [--json]`: can this host run sandboxes, and what will be on the record?
// Required checks decide the exit status; optional ones (kernel audit records) only say why not.
import { accessSync, constants, readdirSync, readFileSync } from 'node:fs';

import { kernelAuditStatus } from '../audit/kernel-audit.js';
import { config } from '../common/config.js';
import { fromPackageRoot } from '../common/package-root.js';
import { resolveLimits } from '../sandbox/limits.js';
import { runSandboxed } from '../sandbox/sandbox.js';
import { compilePolicy } from '../seccomp/policy.js';
import { parseFlags } from './args.js';

interface Check {
  name: string;
  ok: boolean;
  required: boolean;
  detail: string;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function cgroupVersion(): string {
  const line = readText('/proc/self/mountinfo').split('\n').find((l) => l.split(' ')[4] === '/sys/fs/cgroup');
  return line?.includes(' - cgroup2 ') ? 'v2' : 'v1';
}

function staticChecks(): Check[] {
  const launcher = config().launcherPath;
  let launcherOk = true;
  try {
    accessSync(launcher, constants.X_OK);
  } catch {
    launcherOk = false;
  }
  const policies = readdirSync(fromPackageRoot('policies')).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5));
  const compiled = policies.map((name) => {
    try {
      return `${name} ${compilePolicy(name).digest.slice(0, 12)}`;
    } catch (error) {
      return `${name}: ${error instanceof Error ? error.message : String(error)}`;
    }
  });
  const audit = kernelAuditStatus();
  return [
    { name: 'root', ok: process.getuid?.() === 0, required: true, detail: 'the worker builds namespaces and cgroups as root' },
    { name: 'user namespaces', ok: Number(readText('/proc/sys/user/max_user_namespaces')) > 0, required: true, detail: `max_user_namespaces ${readText('/proc/sys/user/max_user_namespaces').trim()}` },
    { name: 'overlayfs', ok: /\toverlay\n/.test(readText('/proc/filesystems')), required: true, detail: 'the sandbox root is an overlay' },
    { name: 'cgroups', ok: true, required: true, detail: cgroupVersion() },
    { name: 'seccomp user notification', ok: readText('/proc/sys/kernel/seccomp/actions_avail').includes('user_notif'), required: true, detail: readText('/proc/sys/kernel/seccomp/actions_avail').trim() },
    { name: 'launcher', ok: launcherOk, required: true, detail: launcher },
    { name: 'policies', ok: compiled.every((c) => !c.includes(':')), required: true, detail: compiled.join(', ') },
    { name: 'kernel audit records', ok: audit.available, required: false, detail: audit.available ? 'SECCOMP records are read from the audit multicast group' : (audit.reason ?? 'unavailable') },
  ];
}

async function sandboxCheck(): Promise<Check> {
  try {
    const result = await runSandboxed({ argv: ['/bin/true'], limits: resolveLimits({ cpuMs: 2000, wallMs: 5000 }) });
    return { name: 'sandboxed run', ok: result.status === 'ok', required: true, detail: `${result.status} in ${result.wall_ms} ms` };
  } catch (error) {
    return { name: 'sandboxed run', ok: false, required: true, detail: error instanceof Error ? error.message : String(error) };
  }
}

export async function healthCommand(argv: string[], print: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  const { values } = parseFlags(argv, { json: { type: 'boolean' } });
  const checks = [...staticChecks()];
  if (checks.every((c) => c.ok || !c.required)) checks.push(await sandboxCheck());
  const healthy = checks.every((c) => c.ok || !c.required);
  if (values.json) {
    print(JSON.stringify({ healthy, checks }, null, 2) + '\n');
  } else {
    for (const c of checks) print(`${c.ok ? 'ok  ' : c.required ? 'FAIL' : 'warn'}  ${c.name.padEnd(26)} ${c.detail}\n`);
    print(healthy ? 'healthy\n' : 'not healthy: see FAIL above\n');
  }
  return healthy ? 0 : 1;
}
