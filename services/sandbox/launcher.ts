// Drives the C launcher (native/launcher): the only module that spawns it. A sandbox is built
// first ("prepared") and the run options are sent afterwards over a control pipe, so callers
// can prepare sandboxes ahead of demand.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';

import { config } from '../common/config.js';
import { InternalError } from '../common/errors.js';
import type { RootLayout } from './layers.js';
import type { Limits } from './limits.js';

/** What one run should do, besides the sandbox's shape. */
export interface RunRequest {
  argv: string[];
  env: Record<string, string>;
  limits: Limits;
  /** Host directory copied into /box. */
  boxFrom?: string | undefined;
  /** Host file given as stdin; undefined: /dev/null. */
  stdinPath?: string | undefined;
  cwd?: string | undefined;
}

/** The launcher's final report, as it printed it, plus the captured output. */
export interface LaunchReport {
  exit_code: number | null;
  signal: number | null;
  program_status_known: boolean;
  cpu_ms: number;
  wall_ms: number;
  memory_kb: number;
  maxrss_kb: number;
  oom_kills: number;
  memory_limit_hits: number;
  limit: 'cpu' | 'wall' | 'output' | null;
  stdout_truncated: boolean;
  stderr_truncated: boolean;
  exec_errno: number;
  cancelled: boolean;
  cgroup: 'v1' | 'v2';
  stdout: Buffer;
  stderr: Buffer;
}

interface StatusEvent {
  event: string;
  message?: string;
  [key: string]: unknown;
}

function runOptions(request: RunRequest): string[] {
  const { limits } = request;
  const words = [
    '--cpu-ms', String(limits.cpuMs),
    '--wall-ms', String(limits.wallMs),
    '--memory-kb', String(limits.memoryMb * 1024),
    '--pids', String(limits.pids),
    '--output-bytes', String(limits.outputKb * 1024),
    '--fsize-kb', String(limits.fsizeKb),
    '--open-files', String(limits.openFiles),
    '--stack-kb', String(limits.stackKb),
  ];
  if (limits.cpuset !== undefined) words.push('--cpuset', limits.cpuset);
  if (request.boxFrom !== undefined) words.push('--box-from', request.boxFrom);
  if (request.stdinPath !== undefined) words.push('--stdin', request.stdinPath);
  if (request.cwd !== undefined) words.push('--cwd', request.cwd);
  for (const [name, value] of Object.entries(request.env)) words.push('--env', `${name}=${value}`);
  words.push('--', ...request.argv);
  for (const word of words) {
    if (word.includes('\0')) throw new InternalError('E_LAUNCH_ARGS', 'run options may not contain NUL bytes');
  }
  return words;
}

function collect(stream: Readable): () => Buffer {
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return () => Buffer.concat(chunks);
}

/** A sandbox being built or built, waiting for its one run. */
export class PreparedSandbox {
  private readonly child: ChildProcess;
  private readonly events: StatusEvent[] = [];
  private readonly done: Promise<StatusEvent[]>;
  private readonly stdout: () => Buffer;
  private readonly stderr: () => Buffer;
  private used = false;
  /** Resolves when the sandbox is built; rejects if building it failed. */
  readonly ready: Promise<void>;

  constructor(layout: RootLayout, scratchKb: number) {
    const { runDir, cgroupName, launcherPath } = config();
    const args = ['--status-fd', '3', '--control-fd', '4', '--state-dir', runDir, '--cgroup-name', cgroupName,
      '--root-lower', layout.skeleton, '--scratch-kb', String(scratchKb)];
    for (const bind of layout.binds) args.push('--ro-bind', bind.src, bind.dst);
    this.child = spawn(launcherPath, args, { stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'], env: {} });
    // A launcher that dies closes its pipes; that failure is reported through its status events.
    for (const stream of this.child.stdio) stream?.on('error', () => {});
    this.stdout = collect(this.child.stdout!);
    this.stderr = collect(this.child.stderr!);
    const statusLines = createInterface({ input: this.child.stdio[3] as Readable });
    let onReady: () => void = () => {};
    let onFailed: (error: Error) => void = () => {};
    this.ready = new Promise<void>((resolve, reject) => {
      onReady = resolve;
      onFailed = reject;
    });
    this.ready.catch(() => {}); // observed by run(); an unprepared pool entry may never be awaited
    statusLines.on('line', (line) => {
      const event = JSON.parse(line) as StatusEvent;
      this.events.push(event);
      if (event.event === 'ready') onReady();
      if (event.event === 'error') onFailed(new InternalError('E_SANDBOX', `sandbox failed: ${event.message ?? 'unknown error'}`));
    });
    this.done = new Promise((resolve, reject) => {
      this.child.on('error', (error) => {
        const failure = new InternalError('E_LAUNCHER', `cannot start the launcher ${launcherPath}: ${error.message}`, { cause: error });
        onFailed(failure);
        reject(failure);
      });
      this.child.on('close', (code, signal) => {
        onFailed(new InternalError('E_SANDBOX', `launcher ended before the sandbox was ready (code ${code}, signal ${signal})`));
        resolve(this.events);
      });
    });
    this.done.catch(() => {});
  }

  /** Runs one command in this sandbox; a sandbox serves exactly one run. */
  async run(request: RunRequest): Promise<LaunchReport> {
    if (this.used) throw new InternalError('E_SANDBOX_REUSED', 'a prepared sandbox serves one run only');
    this.used = true;
    await this.ready;
    const control = this.child.stdio[4] as Writable;
    control.end(Buffer.from(runOptions(request).join('\0')));
    const events = await this.done;
    const failure = events.find((e) => e.event === 'error');
    if (failure) throw new InternalError('E_SANDBOX', `sandbox failed: ${failure.message ?? 'unknown error'}`);
    const exit = events.find((e) => e.event === 'exit');
    if (!exit) throw new InternalError('E_SANDBOX', 'the launcher ended without reporting the run');
    return { ...(exit as unknown as Omit<LaunchReport, 'stdout' | 'stderr'>), stdout: this.stdout(), stderr: this.stderr() };
  }

  /** The launcher's host pid (for logs, and for tests that simulate a crash). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Tears an unused sandbox down (the launcher removes its cgroup and mounts). */
  async dispose(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.used = true;
    this.child.kill('SIGTERM');
    (this.child.stdio[4] as Writable).destroy();
    await this.done.catch(() => {});
  }
}

/**
 * Removes what crashed runs left behind (their cgroups), for every slot no live launcher holds.
 * Runs at service start; each launcher also sweeps the slot it takes.
 */
export async function sweepLeftovers(): Promise<number> {
  const { runDir, cgroupName, launcherPath } = config();
  const { stdout } = await promisify(execFile)(launcherPath, ['--sweep', '--status-fd', '1', '--state-dir', runDir, '--cgroup-name', cgroupName], { env: {} });
  const event = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as StatusEvent;
  if (event.event !== 'swept') throw new InternalError('E_SWEEP', `sweep failed: ${event.message ?? stdout}`);
  return Number(event.slots);
}
