// One sandboxed run, as the rest of gradebox sees it: request in, the `gradebox run --json` result (README) out.
import { join } from 'node:path';

import { config } from '../common/config.js';
import { InternalError } from '../common/errors.js';
import { canonicalEnvironment } from './environment.js';
import { defaultRootLayout, type RootLayout } from './layers.js';
import { syscallName } from '../seccomp/addon.js';
import { PreparedSandbox, type IncidentEvent, type LaunchReport, type PrepareOptions, type ViolationEvent } from './launcher.js';
import type { Incident, Violation } from './incident.js';
import { recordIncident, recordPolicyInstalled, startKernelAudit } from './incident-record.js';
import { installedPolicy } from './seccomp-program.js';
import type { Limits } from './limits.js';
import { classify, type RunStatus } from './outcome.js';

/** The `gradebox run --json` result (README, `gradebox run`); field names are a contract. */
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
  /**
   * Host folder copied into /box (the working directory); several are laid in order, a later
   * folder's entry replacing an earlier one's at the same path (folders merge).
   */
  dir?: string | readonly string[] | undefined;
  /** Empty host folder that receives /box after the run: no links, holes kept, capped at the scratch size. */
  boxOut?: string | undefined;
  /** Host file given as stdin (as a sealed copy in memory: the program never sees its path). */
  stdin?: string | undefined;
  /** Added to (and overriding) the canonical environment. */
  env?: Record<string, string> | undefined;
  seed?: number | undefined;
  /** Seccomp policy from policies/; null runs without a filter (benchmarks only). @defaultValue `default` */
  policy?: string | null | undefined;
  layout?: RootLayout | undefined;
  /** A sandbox prepared ahead of demand with the same layout and scratch size. */
  prepared?: PreparedSandbox | undefined;
}

let defaultLayout: RootLayout | undefined;

/** The default root (the host's toolchains and runtimes under /usr, a curated /etc), built once per process. */
export function defaultLayoutOnce(): RootLayout {
  defaultLayout ??= defaultRootLayout(join(config().stateDir, 'layers'));
  return defaultLayout;
}

/** Room for /box, /tmp and the overlay's upper layer: as much as the memory limit allows. */
export function scratchKbFor(limits: Limits): number {
  return limits.memoryMb * 1024;
}

/** A sandbox for one run with these limits, built on the CPUs the run is pinned to (unless told otherwise). */
export function prepareSandbox(limits: Limits, layout: RootLayout = defaultLayoutOnce(), options: PrepareOptions = {}): PreparedSandbox {
  return new PreparedSandbox(layout, scratchKbFor(limits), { cpus: limits.cpuset, ...options });
}

function toViolation(event: ViolationEvent): Violation {
  const X32_BIT = 0x40000000;
  const name = syscallName(event.nr & ~X32_BIT) ?? `syscall_${event.nr}`;
  const nsPids = /^NSpid:\s+(.*)$/m.exec(event.status)?.[1]?.trim().split(/\s+/) ?? [];
  return {
    syscall: event.arch === 'x86_64' ? name : `${event.arch}:${name}`,
    nr: event.nr,
    arch: event.arch,
    pid: Number(nsPids[nsPids.length - 1] ?? event.host_pid),
    args: event.args,
    host_pid: event.host_pid,
    cmdline: event.cmdline.trim(),
    proc_status: event.status,
    fds: event.fds,
  };
}

function toIncident(event: IncidentEvent): Incident {
  const { id, evidence, manifest, sha256, steps } = event;
  return { id, evidence, manifest, sha256, steps, kernel_audit: null, kernel_audit_unavailable: null, audit: [] };
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
    violation: report.violation_event ? toViolation(report.violation_event) : null,
    incident: report.incident_event ? toIncident(report.incident_event) : null,
  };
}

/** The policy a run asks for, installed (and its first use audited); null: no filter. */
async function policyOf(run: SandboxRun): Promise<ReturnType<typeof installedPolicy> | null> {
  const policy = run.policy === null ? null : installedPolicy(run.policy ?? 'default');
  if (policy?.fresh) await recordPolicyInstalled(policy.name, policy.digest);
  return policy;
}

async function runOn(sandbox: PreparedSandbox, run: SandboxRun, policy: ReturnType<typeof installedPolicy> | null): Promise<RunResult> {
  const started = new Date();
  const report = await sandbox.run({
    argv: run.argv,
    env: { ...canonicalEnvironment(run.seed), ...run.env },
    limits: run.limits,
    boxFrom: run.dir,
    boxOut: run.boxOut,
    stdinPath: run.stdin,
    seccompPath: policy?.path,
  });
  const result = toResult(report, run.limits);
  if (policy && result.violation && result.incident) {
    const kernel = await recordIncident(result.violation, result.incident, { policy: policy.name, policyDigest: policy.digest, started });
    result.incident.kernel_audit = kernel.record;
    result.incident.kernel_audit_unavailable = kernel.unavailable;
    result.incident.audit = kernel.audit;
  }
  return result;
}

export async function runSandboxed(run: SandboxRun): Promise<RunResult> {
  const policy = await policyOf(run);
  startKernelAudit();
  return runOn(run.prepared ?? prepareSandbox(run.limits, run.layout), run, policy);
}

/** How long the second program of a linked pair may run on once the first has ended, ms. */
export const LINKED_GRACE_MS = 2000;

/** The results of a linked pair; `secondCut`: the second was ended because the first had ended. */
export interface LinkedResults {
  first: RunResult;
  second: RunResult;
  secondCut: boolean;
}

/**
 * Runs two programs at once, each one's stdout joined to the other's stdin: an interactive
 * problem's interactor and the submission, or a harness and the solution it tests. The first one
 * leads: once it has ended, the second gets LINKED_GRACE_MS to end too, then it is stopped
 * (`secondCut`), so a second that ignores the end of its input cannot hold the grading.
 */
export async function runLinked(first: SandboxRun, second: SandboxRun): Promise<LinkedResults> {
  if (first.stdin !== undefined || second.stdin !== undefined) throw new InternalError('E_SANDBOX_LINK', 'linked runs read each other, not a stdin file');
  const [firstPolicy, secondPolicy] = [await policyOf(first), await policyOf(second)];
  startKernelAudit();
  const a = first.prepared ?? prepareSandbox(first.limits, first.layout);
  const b = second.prepared ?? prepareSandbox(second.limits, second.layout);
  a.linkWith(b);
  let secondDone = false;
  const secondRun = runOn(b, second, secondPolicy).finally(() => { secondDone = true; });
  secondRun.catch(() => {}); // awaited below; a failure of the first must not leave it unobserved
  let firstResult: RunResult;
  try {
    firstResult = await runOn(a, first, firstPolicy);
  } catch (error) {
    await b.dispose();
    throw error;
  }
  let secondCut = false;
  const timer = setTimeout(() => {
    if (secondDone) return;
    secondCut = true;
    void b.dispose();
  }, LINKED_GRACE_MS);
  try {
    return { first: firstResult, second: await secondRun, secondCut };
  } finally {
    clearTimeout(timer);
  }
}
