// Forbidden syscalls inside the real sandbox, under the shipped `default` policy: never allowed.
// The clearly hostile ones are incidents; the others may be refused with an errno instead.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { tailAuditLog, verifyAuditLog } from '../../services/audit/audit-log.js';
import { config } from '../../services/common/config.js';
import { fromPackageRoot } from '../../services/common/package-root.js';
import { removeTempDirs, run, tempDir } from '../support/helpers.js';

test.after(removeTempDirs);

const HOSTILE = ['ptrace', 'mount', 'umount2', 'unshare', 'setns', 'keyctl', 'add_key', 'bpf', 'open_by_handle_at',
  'reboot', 'init_module', 'finit_module', 'kexec_load', 'swapon', 'pivot_root', 'acct'];
/** Probe name -> the syscall a violation must name. */
const NEVER_ALLOWED: Record<string, string> = {
  perf_event_open: 'perf_event_open', userfaultfd: 'userfaultfd', io_uring_setup: 'io_uring_setup', chroot: 'chroot',
  settimeofday: 'settimeofday', personality: 'personality', modify_ldt: 'modify_ldt', socket_packet: 'socket',
  socket_netlink_audit: 'socket', clone_newuser: 'clone', tiocsti: 'ioctl', tiocsti_high_bits: 'ioctl',
};

function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

let box = '';
function probeDir(): string {
  if (!box) {
    box = tempDir();
    execFileSync('gcc', ['-O2', '-o', join(box, 'probe'), fromPackageRoot('test', 'sandbox', 'violation-probe.c')]);
  }
  return box;
}

function probe(name: string) {
  return run(['./probe', name], { wallMs: 5000 }, { dir: probeDir() });
}

for (const name of HOSTILE) {
  test(`${name} is a violation with an incident`, async () => {
    const r = await probe(name);
    assert.is(r.status, 'violation', `${name}: ${r.status} ${r.stdout}${r.stderr}`);
    assert.is(r.violation?.syscall, name);
    assert.is(r.violation?.arch, 'x86_64');
    assert.is(r.violation?.pid, 2, 'the program is pid 2, under the sandbox init');
    assert.match(r.violation?.cmdline ?? '', /probe/);
    assert.not.match(r.stdout, /returned/, 'the call never returned');
    assert.equal(r.incident?.steps, ['stopped', 'snapshotted', 'killed']);
    assert.is(sha256File(r.incident!.evidence!), r.incident!.sha256, 'the evidence archive verifies');
  });
}

for (const [name, syscall] of Object.entries(NEVER_ALLOWED)) {
  test(`${name} is never allowed`, async () => {
    const r = await probe(name);
    if (r.status === 'violation') {
      assert.is(r.violation?.syscall, syscall);
    } else {
      assert.is(r.status, 'ok', `${name}: ${r.status} ${r.stderr}`);
      const refused = /returned -1 errno (\d+)/.exec(r.stdout);
      assert.ok(refused && Number(refused[1]) > 0, `${name} was allowed: ${r.stdout}`);
    }
  });
}

test('an x32 syscall is a violation, reported as x32', async () => {
  const r = await probe('x32');
  assert.is(r.status, 'violation', r.stdout);
  assert.is(r.violation?.arch, 'x32');
  assert.is(r.violation?.syscall, 'x32:getpid');
});

test('a 32-bit int 0x80 call never reaches the kernel as an allowed call', async () => {
  const r = await probe('int80');
  // Some hypervisors fault int 0x80 before the kernel sees it (SIGSEGV); otherwise it is a violation.
  assert.ok(r.status === 'violation' || (r.status === 'runtime_error' && r.signal === 11), `${r.status} ${r.stdout}`);
  if (r.status === 'violation') assert.is(r.violation?.arch, 'i386');
  assert.not.match(r.stdout, /returned/);
});

test('32 processes violating at once give one incident and no hang', async () => {
  const r = await run(['./probe', 'swarm'], { wallMs: 10000, pids: 64 }, { dir: probeDir() });
  assert.is(r.status, 'violation');
  assert.is(r.violation?.syscall, 'ptrace');
  assert.ok(r.incident, 'one incident');
  assert.not.match(r.stdout, /swarm survived/);
  assert.ok(r.wall_ms < 5000, `wall ${r.wall_ms} ms`);
});

test('an incident is on the record: the kernel audit record and our audit log', async () => {
  const r = await probe('ptrace');
  assert.is(r.status, 'violation');
  const kernel = r.incident?.kernel_audit;
  assert.ok(kernel, `no kernel record: ${r.incident?.kernel_audit_unavailable}`);
  assert.is(kernel.pid, r.violation?.host_pid);
  assert.is(kernel.syscall, 101);
  assert.is(kernel.action, 'user_notif');
  assert.ok(kernel.uid >= 0x40000000, 'the record carries the mapped host uid');
  const verified = await verifyAuditLog(config().auditLog);
  assert.ok(verified.ok, JSON.stringify(verified));
  const lines = tailAuditLog(config().auditLog, 1000).map((l) => JSON.parse(l) as { type: string; incident?: string });
  const types = lines.filter((l) => l.incident === r.incident?.id).map((l) => l.type);
  assert.equal(types, ['violation', ...r.incident!.steps.map((s) => `incident.${s}`)]);
});

test('a policy new to this host is recorded once, not at every run', async () => {
  // This file's state folder is fresh, so its first run compiled `default` anew; many ran since.
  const more = await run(['/bin/true'], {});
  assert.is(more.status, 'ok');
  const lines = tailAuditLog(config().auditLog, 100_000).map((l) => JSON.parse(l) as { type: string; policy?: string });
  assert.equal(lines.filter((l) => l.type === 'policy.installed' && l.policy === 'default').length, 1);
});

test('evidence is safe and bounded: links stay links, a FIFO does not hang, a huge sparse file and 200,000 files are capped', async () => {
  const script = [
    'import os, ctypes',
    'os.symlink("/etc/shadow", "/box/shadow")',
    'os.mkfifo("/box/fifo")',
    'with open("/box/sparse", "wb") as f: f.truncate(64 << 30)',
    'os.mkdir("/tmp/many")',
    'for i in range(200000): os.close(os.open(f"/tmp/many/{i}", os.O_CREAT | os.O_WRONLY))',
    'print("planted", flush=True)',
    'ctypes.CDLL(None).syscall(101, 0, 0, 0, 0)',
  ].join('\n');
  const r = await run(['python3', '-c', script], { memoryMb: 1024, cpuMs: 60000, wallMs: 90000, fsizeKb: 128 << 20 });
  assert.is(r.status, 'violation', r.stderr);
  assert.is(r.stdout, 'planted\n');
  const incident = r.incident!;
  assert.equal(incident.steps, ['stopped', 'snapshotted', 'killed']);
  assert.is(sha256File(incident.evidence!), incident.sha256);
  const manifest = JSON.parse(readFileSync(incident.manifest!, 'utf8')) as {
    capped: boolean; cap_reasons: string[]; entries: Array<{ path: string; type: string; archived: boolean; target?: string; truncated?: boolean }>;
  };
  assert.ok(manifest.capped, 'the manifest says it was capped');
  assert.ok(manifest.cap_reasons.includes('max_entries'), manifest.cap_reasons.join());
  const link = manifest.entries.find((e) => e.path === 'box/shadow');
  assert.equal([link?.type, link?.target], ['symlink', '/etc/shadow']);
  const fifo = manifest.entries.find((e) => e.path === 'box/fifo');
  assert.equal([fifo?.type, fifo?.archived], ['fifo', false]);
  const sparse = manifest.entries.find((e) => e.path === 'box/sparse');
  assert.ok(sparse?.truncated, 'the sparse file was cut at the per-file cap');
  const listing = execFileSync('tar', ['-tvf', incident.evidence!], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.match(listing, /box\/shadow -> \/etc\/shadow/);
  assert.ok(statSync(incident.evidence!).size < 200 << 20, 'the archive stays small');
});

test.run();
