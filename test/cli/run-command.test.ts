// `gradebox run` as a user calls it: flags, exit codes, the JSON contract, clear errors.
import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { fromPackageRoot } from '../../services/common/package-root.js';
import { folderWith, removeTempDirs } from '../support/helpers.js';

test.after(removeTempDirs);

const CLI = fromPackageRoot('dist', 'services', 'cli', 'main.js');

function gradebox(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const RESULT_KEYS = ['status', 'exit_code', 'signal', 'cpu_ms', 'wall_ms', 'memory_kb', 'stdout', 'stderr', 'stdout_truncated', 'stderr_truncated', 'violation', 'incident'].sort();

test('--json prints the result with exactly the contract fields, exit 0', () => {
  const dir = folderWith({ 'in.txt': 'x' });
  const r = gradebox(['run', '--json', '--dir', dir, '--cpu-ms', '2000', '--', '/bin/cat', 'in.txt']);
  assert.is(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.equal(Object.keys(result).sort(), RESULT_KEYS);
  assert.is(result.status, 'ok');
  assert.is(result.stdout, 'x');
});

test('a failing program is still a run carried out: exit 0', () => {
  const r = gradebox(['run', '--json', '--', '/bin/sh', '-c', 'exit 4']);
  assert.is(r.code, 0);
  assert.is((JSON.parse(r.stdout) as { status: string }).status, 'runtime_error');
});

test('without --json the program output is passed through and a summary goes to stderr', () => {
  const r = gradebox(['run', '--', '/bin/echo', 'hi']);
  assert.is(r.code, 0);
  assert.is(r.stdout, 'hi\n');
  assert.match(r.stderr, /gradebox: ok \(exit 0, cpu \d+ ms/);
});

test('--policy python runs python3 under the python policy', () => {
  const r = gradebox(['run', '--json', '--policy', 'python', '--', 'python3', '-c', 'print(1)']);
  assert.is(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout) as { status: string; stdout: string };
  assert.equal([result.status, result.stdout], ['ok', '1\n']);
});

test('--policy java runs the JVM under the java policy, within run\'s default limits', () => {
  const r = gradebox(['run', '--json', '--policy', 'java', '--', 'java', '-version']);
  assert.is(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout) as { status: string; stderr: string };
  assert.is(result.status, 'ok', result.stderr);
  assert.match(result.stderr, /openjdk version/);
});

test('without --policy the run is under the default policy: the JVM is refused there', () => {
  const r = gradebox(['run', '--json', '--', 'java', '-version']);
  assert.is(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout) as { status: string; violation: { syscall: string } | null };
  assert.is(result.status, 'violation');
});

test('--dir given twice lays both folders into /box, the later one\'s files winning', () => {
  const first = folderWith({ 'a.txt': 'first\n', 'b.txt': 'only in the first\n' });
  const second = folderWith({ 'a.txt': 'second\n' });
  const r = gradebox(['run', '--json', '--dir', first, '--dir', second, '--', '/bin/cat', 'a.txt', 'b.txt']);
  assert.is(r.code, 0, r.stderr);
  assert.is((JSON.parse(r.stdout) as { stdout: string }).stdout, 'second\nonly in the first\n');
});

const BAD_USAGE: Array<[string, string[], RegExp]> = [
  ['an unknown flag', ['run', '--cpu', '5', '--', '/bin/true'], /Unknown option '--cpu'/],
  ['a missing command', ['run', '--json'], /missing command/],
  ['a command without --', ['run', '/bin/true'], /put -- before the command/],
  ['a --dir that does not exist', ['run', '--dir', '/nonexistent/dir', '--', '/bin/true'], /--dir \/nonexistent\/dir: no such directory/],
  ['a --dir that is a file', ['run', '--dir', '/etc/hostname', '--', '/bin/true'], /not a directory/],
  ['a --stdin that does not exist', ['run', '--stdin', '/nonexistent', '--', '/bin/true'], /--stdin \/nonexistent: no such file/],
  ['a limit out of range', ['run', '--cpu-ms', '0', '--', '/bin/true'], /--cpu-ms must be a whole number from 1 to 600000, got 0/],
  ['a memory limit too large', ['run', '--memory-mb', '9999999', '--', '/bin/true'], /--memory-mb must be a whole number from 4 to 65536/],
  ['a limit that is not a number', ['run', '--wall-ms', 'soon', '--', '/bin/true'], /--wall-ms needs a whole number, got "soon"/],
  ['a flag without its value', ['run', '--pids'], /--pids/],
  ['an unknown command', ['frobnicate'], /unknown command "frobnicate"/],
  ['an unknown policy', ['run', '--policy', 'ruby', '--', '/bin/true'], /--policy ruby: no such policy; pick one of base, compile, default, go, java, node, python/],
  ['a policy name that is a path', ['run', '--policy', '../policies/default', '--', '/bin/true'], /--policy \.\.\/policies\/default: no such policy/],
];

for (const [what, args, message] of BAD_USAGE) {
  test(`bad usage (${what}) exits 2 with a clear message`, () => {
    const r = gradebox(args);
    assert.is(r.code, 2, `exit ${r.code}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.is(r.stdout, '');
  });
}

test('an internal failure (no launcher) exits 1', () => {
  const r = gradebox(['run', '--', '/bin/true'], { GRADEBOX_LAUNCHER: '/nonexistent/gradebox-launch' });
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stderr, /internal error: .*cannot start the launcher/);
});

test.run();
