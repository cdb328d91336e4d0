// What the kernel does with a compiled policy: a real filter installed in a forked child, one syscall each.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { compileFilter } from '../../services/seccomp/addon.js';
import { symbolValue } from '../../services/seccomp/policy-constants.js';
import { compilePolicy, toFilterSpec } from '../../services/seccomp/policy.js';
import { applyAndCall, buildApplyHelper, type ApplyResult } from './apply.js';
import { AUDIT_ARCH_I386, AUDIT_ARCH_X86_64, X32_SYSCALL_BIT } from './bpf.js';

const ENOSYS = 38;
const EPERM = 1;
const EINVAL = 22;
const ENOTTY = 25;
const EAFNOSUPPORT = 97;
const SIGSYS = 31;
const HIGH = 1n << 32n;
const NR = { read: 0, ioctl: 16, getpid: 39, socket: 41, clone: 56, ptrace: 101, mount: 165, clone3: 435 };

let dir = '';
let helper = '';
const policy = compilePolicy('default');

test.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'gradebox-seccomp-'));
  helper = buildApplyHelper(dir);
});

test.after(() => {
  rmSync(dir, { recursive: true, force: true });
});

function sym(name: string): bigint {
  const value = symbolValue(name);
  if (value === undefined) throw new Error(`no symbol ${name}`);
  return value;
}

function call(nr: number, args: bigint[] = [], abi: 'x64' | 'x32' | 'ia32' = 'x64', bpf = policy.bpf): ApplyResult {
  return applyAndCall(helper, dir, bpf, { abi, nr, args }, { listen: true });
}

function assertNotified(result: ApplyResult, nr: number, arch = AUDIT_ARCH_X86_64): void {
  assert.equal(result.notified, [{ nr, arch }], `expected a notification for ${nr}: ${result.stderr}`);
  // the listener answered ENOSYS: the call never ran
  assert.equal(result.call, { ret: -1, errno: ENOSYS });
}

test('an allowed call succeeds and is not reported', () => {
  const result = call(NR.getpid);
  assert.equal(result.notified, []);
  assert.ok(result.call && result.call.ret > 0 && result.call.errno === 0, result.stderr);
  assert.is(result.exit, 0);
});

test('an errno rule returns its errno without a report (clone3 -> ENOSYS)', () => {
  const result = call(NR.clone3, [0n, 88n]);
  assert.equal(result.notified, []);
  assert.equal(result.call, { ret: -1, errno: ENOSYS });
});

test('a forbidden call reaches the listener and never runs', () => {
  assertNotified(call(NR.ptrace, [0n]), NR.ptrace);
  assertNotified(call(NR.mount, [0n, 0n, 0n]), NR.mount);
});

test('without a listener the default action is what the filter says (kill, errno)', () => {
  const killing = compileFilter(toFilterSpec(policy.normalized, { kind: 'kill_process' }));
  const killed = applyAndCall(helper, dir, killing, { nr: NR.ptrace, args: [0n] });
  assert.is(killed.signal, SIGSYS);
  assert.is(killed.call, null);
  const refusing = compileFilter(toFilterSpec(policy.normalized, { kind: 'errno', errno: EPERM }));
  assert.equal(applyAndCall(helper, dir, refusing, { nr: NR.ptrace, args: [0n] }).call, { ret: -1, errno: EPERM });
  assert.equal(applyAndCall(helper, dir, refusing, { nr: NR.getpid }).call?.errno, 0);
});

test('clone(CLONE_NEWUSER) is a violation; clone with harmless flags reaches the kernel', () => {
  assertNotified(call(NR.clone, [sym('CLONE_NEWUSER') | 17n]), NR.clone);
  // CLONE_SIGHAND without CLONE_VM: allowed by the filter, refused by the kernel, so nothing forks
  const harmless = call(NR.clone, [0x800n]);
  assert.equal(harmless.notified, []);
  assert.equal(harmless.call, { ret: -1, errno: EINVAL });
});

test('ioctl TIOCSTI is a violation even with high bits set; TCGETS with high bits reaches the kernel', () => {
  assertNotified(call(NR.ioctl, [0n, sym('TIOCSTI') | HIGH, 0n]), NR.ioctl);
  assertNotified(call(NR.ioctl, [0n, sym('TIOCSTI'), 0n]), NR.ioctl);
  const tcgets = call(NR.ioctl, [0n, sym('TCGETS') | HIGH, 0n]);
  assert.equal(tcgets.notified, []);
  assert.equal(tcgets.call, { ret: -1, errno: ENOTTY }, 'stdin is a pipe');
});

test('AF_PACKET and NETLINK_AUDIT sockets are violations; NETLINK_ROUTE gets EAFNOSUPPORT', () => {
  assertNotified(call(NR.socket, [sym('AF_PACKET'), 3n, 0n]), NR.socket);
  assertNotified(call(NR.socket, [sym('AF_NETLINK'), 3n, sym('NETLINK_AUDIT')]), NR.socket);
  assert.equal(call(NR.socket, [sym('AF_NETLINK'), 3n, sym('NETLINK_ROUTE')]).call, { ret: -1, errno: EAFNOSUPPORT });
  const unix = call(NR.socket, [sym('AF_UNIX'), 1n, 0n]);
  assert.equal(unix.notified, []);
  assert.ok(unix.call && unix.call.ret >= 0);
});

test('an x32 call of an allowed syscall is a violation (bad-arch action)', () => {
  assertNotified(call(NR.getpid, [], 'x32'), NR.getpid | X32_SYSCALL_BIT);
});

test('an int 0x80 call is a violation where the kernel runs i386 calls at all', () => {
  const allowAll = compileFilter({ defaultAction: { kind: 'allow' }, badArchAction: { kind: 'allow' }, rules: [] });
  const probe = applyAndCall(helper, dir, allowAll, { abi: 'ia32', nr: 20 });
  if (probe.call === null) {
    // This kernel or hypervisor faults int 0x80 before any syscall (seen here: SIGSEGV); the
    // arch check is then covered by the BPF tests in shipped-policies.test.ts.
    console.log(`  (int 0x80 unavailable here: signal ${probe.signal}; skipped)`);
    return;
  }
  assertNotified(call(20, [], 'ia32'), 20, AUDIT_ARCH_I386);
});

test.run();
