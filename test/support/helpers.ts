// Shared by the tests: temp folders that are always removed, and a short way to run in a sandbox.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { resolveLimits, type Limits } from '../../services/sandbox/limits.js';
import { runSandboxed, type RunResult } from '../../services/sandbox/sandbox.js';

const made: string[] = [];

export function tempDir(prefix = 'gradebox-t-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A folder holding the given files, for --dir / boxFrom. */
export function folderWith(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

export function sh(script: string, limits: Partial<Limits> = {}, extra: { dir?: string; stdin?: string; policy?: string } = {}): Promise<RunResult> {
  return runSandboxed({ argv: ['/bin/sh', '-c', script], limits: resolveLimits(limits), ...extra });
}

export function run(argv: string[], limits: Partial<Limits> = {}, extra: { dir?: string; stdin?: string; policy?: string } = {}): Promise<RunResult> {
  return runSandboxed({ argv, limits: resolveLimits(limits), ...extra });
}

/** A CLI subcommand that prints through the function it is given (so tests can capture it). */
export type PrintingCommand = (argv: string[], print: (text: string) => void) => Promise<number>;

export async function callCommand(command: PrintingCommand, argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await command(argv, (text) => { out += text; });
  return { code, out };
}

/** The error a call rejects with; fails the test if it succeeds. */
export async function rejectionOf(call: Promise<unknown>, what: string): Promise<unknown> {
  try {
    await call;
  } catch (error) {
    return error;
  }
  throw new Error(`${what} succeeded, but an error was expected`);
}
