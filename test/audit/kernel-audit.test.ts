// Kernel SECCOMP audit records: a real filter with the log flag makes the kernel write one, and the
// reader finds it by host pid and uid; the record text parses into typed fields.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { KernelAuditReader, kernelAuditStatus, type SeccompRecord } from '../../services/audit/kernel-audit.js';
import { parseSeccompRecord } from '../../services/audit/seccomp-record.js';
import { InternalError } from '../../services/common/errors.js';
import { fromPackageRoot } from '../../services/common/package-root.js';
import { readAuditRecords } from '../../services/seccomp/addon.js';

const NR_GETPPID = 110;
const AUDIT_ARCH_X86_64 = 0xc000003e;
const NOBODY = 65534;
const status = kernelAuditStatus();
let dir = '';
let probe = '';
const reader = new KernelAuditReader();

test.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'gradebox-kaudit-'));
  chmodSync(dir, 0o755); // the probe also runs as nobody
  probe = join(dir, 'log-probe');
  execFileSync('gcc', ['-O2', '-Wall', '-Wextra', '-Werror', '-o', probe, fromPackageRoot('test', 'audit', 'log-probe.c')]);
  if (status.available) reader.start();
});

test.after(() => {
  reader.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface ProbeOutput {
  pid: number;
  ret: number;
  errno: number;
}

function runProbe(action: 'errno' | 'log', uid = 0): Promise<ProbeOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(probe, [action], { uid, gid: uid, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk; });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk; });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(JSON.parse(stdout) as ProbeOutput);
      else reject(new Error(`probe exited ${code}: ${stderr}`));
    });
  });
}

function only(records: SeccompRecord[], pid: number): SeccompRecord {
  const mine = records.filter((record) => record.syscall === NR_GETPPID);
  assert.is(mine.length, 1, `expected one getppid record for pid ${pid}, got ${JSON.stringify(records)}`);
  return mine[0] as SeccompRecord;
}

test('kernelAuditStatus reports available here, or unavailable with a reason', () => {
  if (status.available) {
    assert.equal(status, { available: true });
  } else {
    assert.type(status.reason, 'string');
    assert.ok((status.reason ?? '').length > 10, status.reason);
    console.log(`kernel audit unavailable here: ${status.reason}`);
  }
});

test('an errno action under the log flag leaves a record with the host pid and syscall', async () => {
  if (!status.available) return;
  const since = new Date();
  const out = await runProbe('errno');
  assert.equal([out.ret, out.errno], [-1, 1], 'the filter answered EPERM');
  const record = only(await reader.waitForSeccompRecords({ hostPid: out.pid, since }, 2000), out.pid);
  assert.is(record.pid, out.pid);
  assert.is(record.uid, 0);
  assert.is(record.arch, AUDIT_ARCH_X86_64);
  assert.is(record.abi, 'x86_64');
  assert.is(record.action, 'errno');
  assert.is(record.code, 0x00050000);
  assert.is(record.comm, 'log-probe');
  assert.is(record.exe, probe);
  assert.ok(record.time.getTime() >= since.getTime() - 20, 'logged after the probe started');
});

test('a log action by another uid is found by uid range and not by a range without it', async () => {
  if (!status.available) return;
  const since = new Date();
  const out = await runProbe('log', NOBODY);
  assert.ok(out.ret > 0, 'SECCOMP_RET_LOG lets the call through');
  const record = only(await reader.waitForSeccompRecords({ hostPid: out.pid, uidRange: [NOBODY, NOBODY], since }, 2000), out.pid);
  assert.is(record.uid, NOBODY);
  assert.is(record.action, 'log');
  assert.equal(reader.findSeccompRecords({ hostPid: out.pid, uidRange: [100000, 165535] }), []);
  assert.equal(reader.findSeccompRecords({ hostPid: out.pid, since: new Date(Date.now() + 60_000) }), []);
  assert.is(reader.lost, false);
});

test('a stopped reader refuses lookups', () => {
  const idle = new KernelAuditReader();
  try {
    idle.findSeccompRecords();
    assert.unreachable('a lookup without start should fail');
  } catch (error) {
    assert.ok(error instanceof InternalError);
    assert.is(error.code, 'E_AUDIT_NOT_STARTED');
  }
});

test('readAuditRecords checks its fd before native code runs', () => {
  for (const fd of [-1, 1.5, Number.NaN, 2 ** 31]) {
    try {
      readAuditRecords(fd);
      assert.unreachable(`fd ${fd} should be refused`);
    } catch (error) {
      assert.ok(error instanceof InternalError && error.code === 'E_AUDIT_READ', String(error));
    }
  }
});

test('record text parses into typed fields; hex comm decodes and quotes cannot add fields', () => {
  const record = parseSeccompRecord('audit(1700000000.123:456): auid=4294967295 uid=1000 gid=1000 ses=4294967295 ' +
    'subj=unconfined pid=42 comm=612070696433 exe="/usr/bin/x" sig=31 arch=40000003 syscall=26 compat=1 ip=0xf7f0 code=0x80000000');
  assert.ok(record);
  assert.equal({ ...record, text: '' }, {
    time: new Date(1700000000123), serial: 456, pid: 42, uid: 1000, gid: 1000, auid: null, ses: null,
    comm: 'a pid3', exe: '/usr/bin/x', sig: 31, arch: 0x40000003, abi: 'i386', syscall: 26, compat: true,
    ip: '0xf7f0', code: 0x80000000, action: 'kill_process', text: '',
  });
  const x32 = parseSeccompRecord('audit(1.000:1): uid=0 pid=7 arch=c000003e syscall=1073741925 code=0x7fc00000');
  assert.equal([x32?.abi, x32?.action], ['x32', 'user_notif']);
  assert.is(parseSeccompRecord('audit(1.000:1): uid=0 pid=7 pid=8 arch=c000003e syscall=1 code=0x0'), null, 'a repeated key');
  assert.is(parseSeccompRecord('audit(1.000:1): uid=0 arch=c000003e syscall=1 code=0x0'), null, 'no pid');
  assert.is(parseSeccompRecord('uid=0 pid=7 arch=c000003e syscall=1 code=0x0'), null, 'no header');
});

test.run();
