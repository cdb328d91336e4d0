// Test helper: builds test-apply.c (beside this file) and runs it, to see what the kernel does with a filter.
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { fromPackageRoot } from '../../services/common/package-root.js';

export interface Notification {
  nr: number;
  arch: number;
}

export interface ApplyResult {
  /** The call's result, printed by the child after a `call`. */
  call: { ret: number; errno: number } | null;
  /** Calls that reached the listener (each answered ENOSYS, never let through). */
  notified: Notification[];
  exit: number | null;
  signal: number | null;
  stdout: string;
  stderr: string;
}

/** Compiles the helper into `dir` and returns its path. */
export function buildApplyHelper(dir: string): string {
  const out = join(dir, 'test-apply');
  execFileSync('gcc', ['-O2', '-Wall', '-Wextra', '-Werror', '-o', out, fromPackageRoot('test', 'seccomp', 'test-apply.c')]);
  return out;
}

function parse(stdout: string, stderr: string): ApplyResult {
  const result: ApplyResult = { call: null, notified: [], exit: null, signal: null, stdout, stderr };
  for (const line of stdout.split('\n')) {
    if (line.startsWith('{"ret":')) result.call = JSON.parse(line) as { ret: number; errno: number };
  }
  for (const line of stderr.split('\n')) {
    if (line.startsWith('{"notify":')) result.notified.push((JSON.parse(line) as { notify: Notification }).notify);
    if (line.startsWith('{"exit":')) {
      const end = JSON.parse(line) as { exit: number; signal: number };
      result.exit = end.exit < 0 ? null : end.exit;
      result.signal = end.signal === 0 ? null : end.signal;
    }
  }
  return result;
}

export interface ApplyOptions {
  /** Install with a listener: a violating call is reported instead of returning ENOSYS. */
  listen?: boolean;
  cwd?: string;
  stdin?: string;
  timeoutMs?: number;
}

function runHelper(helper: string, bpf: Buffer, what: string[], options: ApplyOptions, dir: string): ApplyResult {
  const file = join(dir, `filter-${process.hrtime.bigint()}.bpf`);
  writeFileSync(file, bpf);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const flags = [...(options.listen ? ['--listen'] : []), '--timeout-ms', String(timeoutMs)];
  const child = spawnSync(helper, [...flags, file, ...what], {
    cwd: options.cwd ?? dir, input: options.stdin ?? '', encoding: 'utf8', timeout: timeoutMs + 5000,
  });
  return parse(child.stdout ?? '', `${child.stderr ?? ''}${child.error ? `\n${child.error.message}` : ''}`);
}

/** Installs `bpf` in a fresh child and makes one raw syscall there (abi x64, x32 or ia32). */
export function applyAndCall(helper: string, dir: string, bpf: Buffer, call: { abi?: 'x64' | 'x32' | 'ia32'; nr: number; args?: readonly bigint[] }, options: ApplyOptions = {}): ApplyResult {
  const args = (call.args ?? []).map((a) => `0x${BigInt.asUintN(64, a).toString(16)}`);
  return runHelper(helper, bpf, ['call', call.abi ?? 'x64', String(call.nr), ...args], options, dir);
}

/** Installs `bpf` in a fresh child and execs `argv` under it. */
export function applyAndExec(helper: string, dir: string, bpf: Buffer, argv: string[], options: ApplyOptions = {}): ApplyResult {
  return runHelper(helper, bpf, ['exec', ...argv], options, dir);
}
