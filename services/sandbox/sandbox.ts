// One sandboxed run, as the rest of gradebox sees it: request in, DESIGN.md's result shape out.
import { join } from 'node:path';

import { config } from '../common/config.js';
import { canonicalEnvironment } from './environment.js';
import { defaultRootLayout, type RootLayout } from './layers.js';
import { PreparedSandbox, type LaunchReport } from './launcher.js';
import type { Limits } from './limits.js';
import { classify, type RunStatus } from './outcome.js';

export interface Violation {
  syscall: string;
  nr: number;
  arch: string;
  pid: number;
  args: string[];
}

export interface Incident {
  id: string;
  evidence: string;
  sha256: string;
  steps: string[];
}

/** The `gradebox run --json` result (DESIGN.md); field names are a contract. */
export interface RunResult {
  status: RunStatus;
  exit_code: number | null;
  signal: number | null;
  cpu_ms: number;
  wall_ms: number;
  memory_kb: number;
  stdout: string;
  stderr: string;
  stdout_truncated: boolean;
  stderr_truncated: boolean;
  violation: Violation | null;
  incident: Incident | null;
}

export interface SandboxRun {
  argv: string[];
  limits: Limits;
  /** Host folder copied into /box (the working directory). */
  dir?: string | undefined;
  /** Host file given as stdin. */
  stdin?: string | undefined;
  /** Added to (and overriding) the canonical environment. */
  env?: Record<string, string> | undefined;
  seed?: number | undefined;
  layout?: RootLayout | undefined;
  /** A sandbox prepared ahead of demand with the same layout and scratch size. */
  prepared?: PreparedSandbox | undefined;
}

let defaultLayout: RootLayout | undefined;

/** The default root (host /usr, curated /etc), built once per process. */
export function defaultLayoutOnce(): RootLayout {
  defaultLayout ??= defaultRootLayout(join(config().stateDir, 'layers'));
  return defaultLayout;
}

/** Room for /box, /tmp and the overlay's upper layer: as much as the memory limit allows. */
export function scratchKbFor(limits: Limits): number {
  return limits.memoryMb * 1024;
}

export function prepareSandbox(limits: Limits, layout: RootLayout = defaultLayoutOnce()): PreparedSandbox {
  return new PreparedSandbox(layout, scratchKbFor(limits));
}

function toResult(report: LaunchReport, limits: Limits): RunResult {
  let stderr = report.stderr.toString('utf8');
  if (report.exec_errno) stderr += `gradebox: cannot execute the command: errno ${report.exec_errno}\n`;
  return {
    status: classify(report, limits),
    exit_code: report.exit_code,
    signal: report.signal,
    cpu_ms: report.cpu_ms,
    wall_ms: report.wall_ms,
    memory_kb: report.memory_kb,
    stdout: report.stdout.toString('utf8'),
    stderr,
    stdout_truncated: report.stdout_truncated,
    stderr_truncated: report.stderr_truncated,
    violation: null,
    incident: null,
  };
}

export async function runSandboxed(run: SandboxRun): Promise<RunResult> {
  const sandbox = run.prepared ?? prepareSandbox(run.limits, run.layout);
  const report = await sandbox.run({
    argv: run.argv,
    env: { ...canonicalEnvironment(run.seed), ...run.env },
    limits: run.limits,
    boxFrom: run.dir,
    stdinPath: run.stdin,
  });
  return toResult(report, run.limits);
}
