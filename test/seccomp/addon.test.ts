// The libseccomp addon: name resolution, error codes, the exported program's shape and arch handling.
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { InternalError, UserError } from '../../services/common/errors.js';
import { compileFilter, syscallName, syscallNumber, type FilterRule, type FilterSpec } from '../../services/seccomp/addon.js';
import {
  actionOf, AUDIT_ARCH_I386, RET_ALLOW, RET_ERRNO, RET_KILL_PROCESS, RET_USER_NOTIF, runFilter, X32_SYSCALL_BIT,
} from './bpf.js';

const allow = (syscall: string): FilterRule => ({ syscall, action: { kind: 'allow' }, conditions: [] });

function spec(rules: FilterRule[]): FilterSpec {
  return { defaultAction: { kind: 'notify' }, badArchAction: { kind: 'notify' }, rules };
}

function codeOf(fn: () => unknown): { code: string; message: string; kind: string } {
  try {
    fn();
  } catch (error) {
    if (error instanceof UserError || error instanceof InternalError) {
      return { code: error.code, message: error.message, kind: error.constructor.name };
    }
    throw error;
  }
  throw new Error('expected an error');
}

test('syscallNumber and syscallName resolve x86_64 syscalls', () => {
  assert.is(syscallNumber('read'), 0);
  assert.is(syscallNumber('clone3'), 435);
  assert.is(syscallName(101), 'ptrace');
  assert.is(syscallName(99_999), null);
  assert.is(syscallName(-1), null);
});

test('an unknown syscall name is a UserError with its code and the name', () => {
  const byNumber = codeOf(() => syscallNumber('no_such_call'));
  assert.is(byNumber.code, 'E_POLICY_UNKNOWN_SYSCALL');
  assert.ok(byNumber.message.includes('no_such_call'));
  assert.is(byNumber.kind, 'UserError');
  // socketcall exists on i386 only: libseccomp's pseudo-number must not pass for x86_64
  assert.is(codeOf(() => syscallNumber('socketcall')).code, 'E_POLICY_UNKNOWN_SYSCALL');
  const inFilter = codeOf(() => compileFilter(spec([allow('read'), allow('no_such_call')])));
  assert.is(inFilter.code, 'E_POLICY_UNKNOWN_SYSCALL');
  assert.ok(inFilter.message.includes('"no_such_call"'));
});

test('the program is whole sock_filter instructions and does what its rules say', () => {
  const bpf = compileFilter(spec([
    allow('read'),
    { syscall: 'clone3', action: { kind: 'errno', errno: 38 }, conditions: [] },
  ]));
  assert.ok(Buffer.isBuffer(bpf));
  assert.is(bpf.length % 8, 0);
  assert.ok(bpf.length / 8 >= 6, `only ${bpf.length / 8} instructions`);
  assert.is(runFilter(bpf, { nr: 0 }), RET_ALLOW);
  assert.is(runFilter(bpf, { nr: 435 }), RET_ERRNO | 38);
  assert.is(runFilter(bpf, { nr: 101 }), RET_USER_NOTIF);
});

test('wrong-arch calls (int 0x80, x32) get the bad-arch action, which is notify', () => {
  const bpf = compileFilter(spec([allow('getpid'), allow('read')]));
  assert.is(runFilter(bpf, { nr: 39 }), RET_ALLOW);
  assert.is(runFilter(bpf, { nr: 20, arch: AUDIT_ARCH_I386 }), RET_USER_NOTIF, 'i386 getpid');
  assert.is(runFilter(bpf, { nr: 39 | X32_SYSCALL_BIT }), RET_USER_NOTIF, 'x32 getpid');
  assert.is(runFilter(bpf, { nr: 0 | X32_SYSCALL_BIT }), RET_USER_NOTIF, 'x32 read');
  const killing = compileFilter({ ...spec([allow('getpid')]), badArchAction: { kind: 'kill_process' } });
  assert.is(actionOf(runFilter(killing, { nr: 20, arch: AUDIT_ARCH_I386 })), RET_KILL_PROCESS);
});

test('a 32-bit eq ignores the upper half, as the kernel does; a 64-bit eq does not', () => {
  const tcgets = 0x5401n;
  const bpf = compileFilter(spec([
    { syscall: 'ioctl', action: { kind: 'allow' }, conditions: [{ arg: 1, op: 'eq', value: tcgets, mask: 0n, width32: true }] },
    { syscall: 'kill', action: { kind: 'allow' }, conditions: [{ arg: 1, op: 'eq', value: 9n, mask: 0n, width32: false }] },
  ]));
  assert.is(runFilter(bpf, { nr: 16, args: [0n, tcgets] }), RET_ALLOW);
  assert.is(runFilter(bpf, { nr: 16, args: [0n, tcgets | (1n << 32n)] }), RET_ALLOW);
  assert.is(runFilter(bpf, { nr: 16, args: [0n, 0x5412n | (1n << 32n)] }), RET_USER_NOTIF);
  assert.is(runFilter(bpf, { nr: 62, args: [1n, 9n | (1n << 32n)] }), RET_USER_NOTIF);
});

test('comparisons libseccomp cannot do faithfully on a 32-bit argument are refused', () => {
  for (const op of ['ne', 'lt', 'le', 'gt', 'ge'] as const) {
    const error = codeOf(() => compileFilter(spec([
      { syscall: 'ioctl', action: { kind: 'allow' }, conditions: [{ arg: 1, op, value: 0x5412n, mask: 0n, width32: true }] },
    ])));
    assert.is(error.code, 'E_POLICY_BAD_CONDITION', op);
  }
  const emptyMask = codeOf(() => compileFilter(spec([
    { syscall: 'clone', action: { kind: 'allow' }, conditions: [{ arg: 0, op: 'masked_eq', value: 0n, mask: 0n, width32: false }] },
  ])));
  assert.is(emptyMask.code, 'E_POLICY_BAD_CONDITION');
});

test('a malformed spec is refused in TypeScript before native code runs', () => {
  const bad = { ...spec([]), rules: [{ syscall: 'read', action: { kind: 'allow' }, conditions: [{ arg: 9, op: 'eq', value: 1n, mask: 0n, width32: false }] }] };
  const error = codeOf(() => compileFilter(bad as FilterSpec));
  assert.is(error.code, 'E_SECCOMP_BAD_SPEC');
  assert.is(error.kind, 'InternalError');
  assert.is(codeOf(() => compileFilter({ ...spec([]), defaultAction: { kind: 'errno', errno: 0 } })).code, 'E_SECCOMP_BAD_SPEC');
});

test.run();
