// Policy files: schema errors that name the file and field, inheritance, normalization, the digest.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { UserError } from '../../services/common/errors.js';
import { canonicalJson, compilePolicy, loadPolicy } from '../../services/seccomp/policy.js';

let dir = '';

test.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), 'gradebox-policy-'));
});

test.after.each(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): void {
  writeFileSync(join(dir, `${name}.yaml`), text);
}

const BASE = `description: test base
allow:
  - read
  - write
  - exit_group
errno:
  - { syscall: clone3, errno: ENOSYS }
`;

function failure(name: string): UserError {
  try {
    loadPolicy(name, { dir });
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error(`policy ${name} loaded, but an error was expected`);
}

test('an unknown syscall is rejected with its code, the name, the file and the entry', () => {
  write('p', 'description: x\nallow:\n  - read\n  - opennat\n');
  const error = failure('p');
  assert.is(error.code, 'E_POLICY_UNKNOWN_SYSCALL');
  assert.match(error.message, '"opennat"');
  assert.match(error.message, 'p.yaml: allow[1]');
});

test('schema errors name the file, the field and what is expected', () => {
  write('a', 'description: x\nallow:\n  - { syscall: ioctl, when: [{ arg: 1, op: eq, value: 1, width: 16 }] }\n');
  let error = failure('a');
  assert.is(error.code, 'E_POLICY_SCHEMA');
  assert.match(error.message, 'a.yaml: field allow[0].when[0].width');
  assert.match(error.message, 'expected 32');

  write('b', 'description: x\nallow: [read]\nallowed: [write]\n');
  error = failure('b');
  assert.is(error.code, 'E_POLICY_SCHEMA');
  assert.match(error.message, 'b.yaml');
  assert.match(error.message, 'allowed');

  write('c', 'allow: [read]\n');
  error = failure('c');
  assert.match(error.message, 'c.yaml: field description');

  write('d', 'description: x\nallow: [read\n');
  assert.is(failure('d').code, 'E_POLICY_YAML');

  write('e', 'description: x\nerrno:\n  - { syscall: clone3, errno: NOPE }\n');
  assert.match(failure('e').message, 'e.yaml: field errno[0].errno');

  write('f', 'description: x\nallow:\n  - { syscall: clone, when: [{ arg: 0, op: masked_eq, value: 0, width: 64 }] }\n');
  assert.match(failure('f').message, 'field allow[0].when[0]');
});

test('missing files, bad names and extends loops are user errors', () => {
  assert.is(failure('nothere').code, 'E_POLICY_NOT_FOUND');
  assert.is(failure('../etc/passwd').code, 'E_POLICY_BAD_NAME');
  write('x', 'description: x\nextends: y\n');
  write('y', 'description: y\nextends: x\n');
  const loop = failure('x');
  assert.is(loop.code, 'E_POLICY_EXTENDS_CYCLE');
  assert.match(loop.message, 'field extends');
});

test('extends merges the chain; rules are sorted and deduplicated', () => {
  write('base', BASE);
  write('child', 'description: child\nextends: base\nallow:\n  - write\n  - getpid\n');
  const policy = loadPolicy('child', { dir });
  assert.equal(policy.chain, ['base', 'child']);
  assert.equal(policy.normalized.rules.map((r) => r.syscall), ['clone3', 'exit_group', 'getpid', 'read', 'write']);
  assert.equal(policy.normalized.rules[0]?.action, { type: 'errno', errno: 'ENOSYS' });
  assert.is(policy.normalized.defaultAction, 'violation');
  assert.is(policy.normalized.badArchAction, 'violation');
});

test('symbolic and negative values normalize to the unsigned value at the width', () => {
  write('p', `description: x
allow:
  - syscall: clone
    when: [{ arg: 0, op: masked_eq, mask: CLONE_NEWUSER|CLONE_NEWNS, value: 0, width: 32 }]
  - syscall: ioctl
    when: [{ arg: 0, op: eq, value: -1, width: 32 }]
`);
  const [clone, ioctl] = loadPolicy('p', { dir }).normalized.rules;
  assert.equal(clone?.when, [{ arg: 0, op: 'masked_eq', value: '0x0', mask: '0x10020000', width: 32 }]);
  assert.equal(ioctl?.when, [{ arg: 0, op: 'eq', value: '0xffffffff', width: 32 }]);
  write('q', 'description: x\nallow:\n  - { syscall: ioctl, when: [{ arg: 1, op: eq, value: TIOCNOPE, width: 32 }] }\n');
  assert.is(failure('q').code, 'E_POLICY_BAD_VALUE');
  write('r', 'description: x\nallow:\n  - { syscall: ioctl, when: [{ arg: 1, op: eq, value: "0x100000000", width: 32 }] }\n');
  assert.is(failure('r').code, 'E_POLICY_BAD_VALUE');
});

test('ne/lt/gt on a 32-bit argument are refused with the fix', () => {
  write('p', 'description: x\nallow:\n  - { syscall: ioctl, when: [{ arg: 1, op: ne, value: TIOCSTI, width: 32 }] }\n');
  const error = failure('p');
  assert.is(error.code, 'E_POLICY_BAD_CONDITION');
  assert.match(error.message, 'list the allowed values with eq');
});

test('the hostile set can be neither allowed nor answered with an errno', () => {
  write('p', 'description: x\nerrno:\n  - { syscall: ptrace, errno: EPERM }\n');
  assert.is(failure('p').code, 'E_POLICY_FORBIDDEN_SYSCALL');
  write('q', 'description: x\nallow: [unshare]\n');
  assert.is(failure('q').code, 'E_POLICY_FORBIDDEN_SYSCALL');
  write('r', 'description: x\nallow: [perf_event_open]\n');
  assert.match(failure('r').message, 'never be allowed');
  write('s', 'description: x\nerrno:\n  - { syscall: perf_event_open, errno: ENOSYS }\n');
  assert.is(loadPolicy('s', { dir }).normalized.rules.length, 1);
});

test('overlapping rules with different actions are refused; disjoint ones are kept', () => {
  write('base', BASE);
  write('p', 'description: x\nextends: base\nallow: [clone3]\n');
  const conflict = failure('p');
  assert.is(conflict.code, 'E_POLICY_CONFLICT');
  assert.match(conflict.message, 'p.yaml: allow[0]');
  assert.match(conflict.message, 'base.yaml: errno[0]');
  write('q', `description: x
allow:
  - { syscall: socket, when: [{ arg: 0, op: eq, value: AF_UNIX, width: 32 }] }
errno:
  - { syscall: socket, errno: EAFNOSUPPORT, when: [{ arg: 0, op: eq, value: AF_NETLINK, width: 32 }] }
  - { syscall: kill, errno: EPERM, when: [{ arg: 1, op: eq, value: 9, width: 32 }] }
  - { syscall: kill, errno: EPERM, when: [{ arg: 1, op: eq, value: 9, width: 32 }] }
`);
  assert.is(loadPolicy('q', { dir }).normalized.rules.length, 3);
  write('r', 'description: x\nallow:\n  - kill\n  - { syscall: kill, when: [{ arg: 1, op: eq, value: 9, width: 32 }] }\n');
  assert.equal(loadPolicy('r', { dir }).normalized.rules, [{ syscall: 'kill', action: { type: 'allow' }, when: [] }]);
});

test('the digest is stable, ignores order and comments, and changes when a rule changes', () => {
  write('one', BASE);
  write('two', `# the same rules, reordered, with comments\ndescription: another text
errno:
  - { syscall: clone3, errno: ENOSYS }   # why: glibc
allow: [exit_group, write, read, read]
`);
  const one = loadPolicy('one', { dir });
  assert.match(one.digest, /^[0-9a-f]{64}$/);
  assert.is(loadPolicy('one', { dir }).digest, one.digest);
  assert.is(loadPolicy('two', { dir }).digest, one.digest);
  write('three', BASE.replace('ENOSYS', 'EPERM'));
  assert.is.not(loadPolicy('three', { dir }).digest, one.digest);
  write('four', `${BASE}  - { syscall: getpid, errno: EPERM }\n`);
  assert.is.not(loadPolicy('four', { dir }).digest, one.digest);
});

test('canonical JSON sorts keys at every level', () => {
  assert.is(canonicalJson({ b: 1, a: [{ d: 2, c: 'x' }] }), '{"a":[{"c":"x","d":2}],"b":1}');
});

test('compilePolicy returns the digest and the BPF program, cached per process', () => {
  write('base', BASE);
  const compiled = compilePolicy('base', { dir });
  assert.is(compiled.name, 'base');
  assert.is(compiled.digest, loadPolicy('base', { dir }).digest);
  assert.is(compiled.bpf.length % 8, 0);
  assert.is(compiled.instructions, compiled.bpf.length / 8);
  assert.ok(compiled.instructions > 5);
  assert.is(compilePolicy('base', { dir }), compiled);
});

test.run();
