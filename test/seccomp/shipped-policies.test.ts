// The policies in policies/: they compile, and the compiled programs refuse the hostile and never-allowed syscalls
// (services/seccomp/syscall-sets.ts), whatever the arguments.
import { readdirSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { fromPackageRoot } from '../../services/common/package-root.js';
import { syscallNumber } from '../../services/seccomp/addon.js';
import { errnoNumber, symbolValue } from '../../services/seccomp/policy-constants.js';
import { compilePolicy, type CompiledPolicy } from '../../services/seccomp/policy.js';
import { HOSTILE_SYSCALLS, NEVER_ALLOWED_SYSCALLS } from '../../services/seccomp/syscall-sets.js';
import { AUDIT_ARCH_I386, RET_ALLOW, RET_ERRNO, RET_USER_NOTIF, runFilter, X32_SYSCALL_BIT } from './bpf.js';

/** Every policy in policies/, so a new language's policy is held to the same rules. */
const NAMES = readdirSync(fromPackageRoot('policies')).filter((name) => name.endsWith('.yaml')).map((name) => name.slice(0, -'.yaml'.length)).sort();
const HIGH = 1n << 32n;

function sym(name: string): bigint {
  const value = symbolValue(name);
  if (value === undefined) throw new Error(`no symbol ${name}`);
  return value;
}

function verdict(policy: CompiledPolicy, name: string, args: bigint[] = []): number {
  return runFilter(policy.bpf, { nr: syscallNumber(name), args });
}

const policies = (): CompiledPolicy[] => NAMES.map((name) => compilePolicy(name));

test('every shipped policy compiles within the kernel limit, with a digest', () => {
  for (const policy of policies()) {
    assert.match(policy.digest, /^[0-9a-f]{64}$/);
    assert.ok(policy.instructions > 100 && policy.instructions < 4096, `${policy.name}: ${policy.instructions}`);
    assert.is(policy.chain[0], 'base', policy.name);
  }
});

test('the hostile set is the violation action in every policy, whatever the arguments', () => {
  const argSets = [[], [0n, 0n, 0n], [HIGH - 1n, HIGH, 1n], [0x10000000n]];
  for (const policy of policies()) {
    for (const name of HOSTILE_SYSCALLS) {
      for (const args of argSets) assert.is(verdict(policy, name, args), RET_USER_NOTIF, `${policy.name}: ${name}`);
    }
  }
});

test('the never-allowed set is a violation or an errno, never allowed', () => {
  for (const policy of policies()) {
    for (const name of NEVER_ALLOWED_SYSCALLS) assert.is.not(verdict(policy, name), RET_ALLOW, `${policy.name}: ${name}`);
  }
  // node answers libuv's io_uring probe with ENOSYS; elsewhere it is an incident
  assert.is(verdict(compilePolicy('node'), 'io_uring_setup'), RET_ERRNO | 38);
  assert.is(verdict(compilePolicy('default'), 'io_uring_setup'), RET_USER_NOTIF);
});

test('clone with any namespace flag is a violation; fork and thread flags are allowed', () => {
  const SIGCHLD = 17n;
  const threadFlags = 0x3d0f00n; // glibc pthread_create: VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|SETTLS|PARENT_SETTID|CHILD_CLEARTID
  for (const policy of policies()) {
    assert.is(verdict(policy, 'clone', [SIGCHLD]), RET_ALLOW);
    assert.is(verdict(policy, 'clone', [threadFlags]), RET_ALLOW);
    for (const flag of ['CLONE_NEWUSER', 'CLONE_NEWNS', 'CLONE_NEWPID', 'CLONE_NEWNET', 'CLONE_NEWIPC', 'CLONE_NEWUTS', 'CLONE_NEWCGROUP', 'CLONE_NEWTIME']) {
      assert.is(verdict(policy, 'clone', [sym(flag) | SIGCHLD]), RET_USER_NOTIF, `${policy.name}: ${flag}`);
      assert.is(verdict(policy, 'clone', [sym(flag) | threadFlags | HIGH]), RET_USER_NOTIF, `${policy.name}: ${flag} with high bits`);
    }
    assert.is(verdict(policy, 'clone3'), RET_ERRNO | 38, 'clone3 -> ENOSYS');
  }
});

test('ioctl refuses TIOCSTI and TIOCLINUX even with high bits set, and allows TCGETS', () => {
  for (const policy of policies()) {
    for (const request of [sym('TIOCSTI'), sym('TIOCSTI') | HIGH, sym('TIOCSTI') | (0xffffffffn << 32n), sym('TIOCLINUX'), 0n]) {
      assert.is(verdict(policy, 'ioctl', [0n, request]), RET_USER_NOTIF, `${policy.name}: ioctl 0x${request.toString(16)}`);
    }
    assert.is(verdict(policy, 'ioctl', [1n, sym('TCGETS')]), RET_ALLOW);
    assert.is(verdict(policy, 'ioctl', [1n, sym('TCGETS') | HIGH]), RET_ALLOW, 'the kernel reads TCGETS too');
  }
});

test('socket: loopback families allowed, NETLINK_ROUTE refused with an errno, raw families a violation', () => {
  const SOCK_RAW = 3n;
  const eafnosupport = errnoNumber('EAFNOSUPPORT') ?? 0;
  for (const policy of policies()) {
    for (const family of ['AF_UNIX', 'AF_INET', 'AF_INET6']) assert.is(verdict(policy, 'socket', [sym(family), 1n, 0n]), RET_ALLOW);
    assert.is(verdict(policy, 'socket', [sym('AF_PACKET'), SOCK_RAW, 0n]), RET_USER_NOTIF);
    assert.is(verdict(policy, 'socket', [sym('AF_NETLINK'), SOCK_RAW, sym('NETLINK_AUDIT')]), RET_USER_NOTIF);
    assert.is(verdict(policy, 'socket', [sym('AF_NETLINK'), SOCK_RAW, sym('NETLINK_ROUTE')]), RET_ERRNO | eafnosupport);
    assert.is(verdict(policy, 'socket', [sym('AF_NETLINK') | HIGH, SOCK_RAW, sym('NETLINK_AUDIT')]), RET_USER_NOTIF);
  }
});

test('int 0x80 (i386) and x32 calls are violations, even for allowed syscall numbers', () => {
  for (const policy of policies()) {
    assert.is(runFilter(policy.bpf, { nr: 39 }), RET_ALLOW, 'getpid');
    assert.is(runFilter(policy.bpf, { nr: 20, arch: AUDIT_ARCH_I386 }), RET_USER_NOTIF, 'i386 getpid');
    assert.is(runFilter(policy.bpf, { nr: 39 | X32_SYSCALL_BIT }), RET_USER_NOTIF, 'x32 getpid');
    assert.is(runFilter(policy.bpf, { nr: 1 | X32_SYSCALL_BIT }), RET_USER_NOTIF, 'x32 write');
  }
});

test('java may name its threads with prctl, nothing else with prctl', () => {
  const java = compilePolicy('java');
  assert.is(verdict(java, 'prctl', [sym('PR_SET_NAME')]), RET_ALLOW);
  assert.is(verdict(java, 'prctl', [22n /* PR_SET_SECCOMP */]), RET_USER_NOTIF);
  assert.is(verdict(compilePolicy('python'), 'prctl', [sym('PR_SET_NAME')]), RET_USER_NOTIF);
});

test.run();
