// `gradebox policy check|show|compile`: output, written program, and usage errors.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';

import { policyCommand } from '../../services/cli/policy-command.js';
import { UsageError, UserError } from '../../services/common/errors.js';
import { loadPolicy } from '../../services/seccomp/policy.js';
import { callCommand, rejectionOf } from '../support/helpers.js';

let dir = '';

test.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), 'gradebox-policy-cli-'));
});

test.after.each(() => {
  rmSync(dir, { recursive: true, force: true });
});

function run(argv: string[]): Promise<{ code: number; out: string }> {
  return callCommand(policyCommand, argv);
}

function rejection(argv: string[]): Promise<unknown> {
  return rejectionOf(run(argv), `policy ${argv.join(' ')}`);
}

test('check prints ok with the digest', async () => {
  const { code, out } = await run(['check', 'python']);
  assert.is(code, 0);
  assert.match(out, `ok python sha256:${loadPolicy('python').digest}`);
  assert.match(out, 'base <- python');
});

test('show prints the normalized policy as YAML, or JSON with --json', async () => {
  const yaml = parse((await run(['show', 'java'])).out) as { digest: string; chain: string[]; rules: unknown[] };
  assert.is(yaml.digest, loadPolicy('java').digest);
  assert.equal(yaml.chain, ['base', 'java']);
  const json = JSON.parse((await run(['show', 'java', '--json'])).out) as { rules: unknown[]; defaultAction: string };
  assert.is(json.defaultAction, 'violation');
  assert.is(json.rules.length, yaml.rules.length);
});

test('compile writes the BPF program and reports its size', async () => {
  const out = join(dir, 'node.bpf');
  const result = await run(['compile', 'node', '--out', out]);
  const bpf = readFileSync(out);
  assert.is(bpf.length % 8, 0);
  assert.match(result.out, `wrote ${out}: ${bpf.length / 8} BPF instructions`);
});

test('--dir reads another folder, and a bad policy there is a UserError naming the file', async () => {
  writeFileSync(join(dir, 'mine.yaml'), 'description: mine\nallow: [read, no_such_call]\n');
  const error = await rejection(['check', 'mine', '--dir', dir]);
  assert.ok(error instanceof UserError);
  assert.is(error.code, 'E_POLICY_UNKNOWN_SYSCALL');
  assert.match(error.message, 'mine.yaml: allow[1]');
});

test('bad usage is a UsageError', async () => {
  for (const argv of [[], ['check'], ['check', 'a', 'b'], ['frob', 'python'], ['check', 'python', '--nope'], ['show', 'python', '--out', 'x']]) {
    assert.ok((await rejection(argv)) instanceof UsageError, argv.join(' '));
  }
});

test.run();
