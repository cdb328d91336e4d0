// Drives the C launcher (native/launcher): the only module that spawns it. One long-lived
// launcher per process (`gradebox-launch --serve`) hands each sandbox to one of its supervisor
// processes (reused from sandbox to sandbox), so no run pays for spawning a process from Node.
// A sandbox is built first ("prepared"); its run options are sent afterwards, so callers can
// prepare sandboxes ahead of demand.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { config } from '../common/config.js';
import { InternalError, UserError } from '../common/errors.js';
import type { RootLayout } from './layers.js';
import type { Limits } from './limits.js';

/** What one run should do, besides the sandbox's shape. */
export interface RunRequest {
  argv: string[];
  env: Record<string, string>;
  limits: Limits;
  /**
   * Host directories laid into /box, in order: a later one's entry replaces whatever an earlier
   * one has at that path (folders merge). Links in them stay links inside the sandbox.
   */
  boxFrom?: string | readonly string[] | undefined;
  /**
   * Empty host directory that receives /box after the run (a build's output): folders and regular
   * files only (links are dropped), holes kept, at most what the scratch could hold.
   */
  boxOut?: string | undefined;
  /** Host file given as stdin (the program gets a sealed copy in memory); undefined: /dev/null. */
  stdinPath?: string | undefined;
  cwd?: string | undefined;
  /** Host path of the compiled seccomp program (see seccomp-program.ts). */
  seccompPath?: string | undefined;
}

/** What the launcher recorded about the first forbidden syscall of a run. */
export interface ViolationEvent {
  nr: number;
  arch: string;
  host_pid: number;
  args: string[];
  ip: string;
  cmdline: string;
  status: string;
  fds: Array<{ fd: number; target: string }>;
}

export interface IncidentEvent {
  id: string;
  evidence: string | null;
  manifest: string | null;
  sha256: string | null;
  steps: string[];
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
  violation: boolean;
  cgroup: 'v1' | 'v2';
  /** Symlinks /box held that the copy to `boxOut` left out. */
  box_links_dropped: number;
  /** The seccomp filter was installed with SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV. */
  seccomp_wait_killable: boolean;
  stdout: Buffer;
  stderr: Buffer;
  violation_event: ViolationEvent | null;
  incident_event: IncidentEvent | null;
}

interface StatusEvent {
  event: string;
  message?: string;
  [key: string]: unknown;
}

/** Request verbs and frame kinds of the launcher's --serve protocol (native/launcher/server.c). */
const VERB = { prepare: 1, run: 2, cancel: 3, raise: 4, link: 5 } as const;
const FRAME = { stdout: 1, stderr: 2, status: 3 } as const;
const HEADER_BYTES = 12;

interface FrameListener {
  status(event: StatusEvent): void;
  output(kind: number, data: Buffer): void;
}

function toWords(words: string[]): Buffer {
  for (const word of words) {
    if (word.includes('\0')) throw new InternalError('E_LAUNCH_ARGS', 'launcher options may not contain NUL bytes');
  }
  // Every word ends with a NUL, so an empty last word survives the trip.
  return Buffer.from(words.map((word) => `${word}\0`).join(''));
}

/** The long-lived launcher of this process, and the demultiplexing of its frames. */
class LaunchServer {
  private readonly child: ChildProcess;
  private readonly listeners = new Map<number, FrameListener>();
  private idleWaiters: Array<() => void> = [];
  private pending: Buffer = Buffer.alloc(0);
  private nextId = 1;
  dead = false;

  constructor() {
    const { runDir, cgroupName, launcherPath } = config();
    this.child = spawn(launcherPath, ['--serve', '--state-dir', runDir, '--cgroup-name', cgroupName], {
      stdio: ['pipe', 'pipe', 'inherit'],
      env: {},
    });
    this.child.stdin!.on('error', () => {}); // a dead launcher is reported by 'exit'
    this.child.stdout!.on('data', (chunk: Buffer) => this.receive(chunk));
    this.child.on('error', (error) => this.fail(`cannot start the launcher ${launcherPath}: ${error.message}`));
    this.child.on('exit', (code, signal) => this.fail(`the launcher exited (code ${code}, signal ${signal})`));
    this.updateRef();
  }

  open(listener: FrameListener): number {
    const id = this.nextId++;
    this.listeners.set(id, listener);
    this.updateRef();
    return id;
  }

  close(id: number): void {
    this.listeners.delete(id);
    this.updateRef();
    if (this.listeners.size === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** Resolves once every sandbox opened so far is gone. */
  idle(): Promise<void> {
    if (this.listeners.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  send(id: number, verb: number, words: string[]): void {
    if (this.dead) return;
    const payload = toWords(words);
    const header = Buffer.alloc(HEADER_BYTES);
    header.writeUInt32LE(id, 0);
    header.writeUInt32LE(verb, 4);
    header.writeUInt32LE(payload.length, 8);
    this.child.stdin!.write(Buffer.concat([header, payload]));
  }

  private receive(chunk: Buffer): void {
    let buffer = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (buffer.length >= HEADER_BYTES) {
      const length = buffer.readUInt32LE(8);
      if (buffer.length < HEADER_BYTES + length) break;
      const id = buffer.readUInt32LE(0);
      const kind = buffer.readUInt32LE(4);
      const data = buffer.subarray(HEADER_BYTES, HEADER_BYTES + length);
      buffer = buffer.subarray(HEADER_BYTES + length);
      const listener = this.listeners.get(id);
      if (!listener) continue;
      if (kind === FRAME.status) listener.status(JSON.parse(data.toString('utf8')) as StatusEvent);
      else listener.output(kind, Buffer.from(data));
    }
    this.pending = Buffer.from(buffer);
  }

  private fail(message: string): void {
    if (this.dead) return;
    this.dead = true;
    for (const listener of this.listeners.values()) {
      listener.status({ event: 'error', message });
      listener.status({ event: 'gone' });
    }
    this.listeners.clear();
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** An idle launcher must not keep the process alive; it exits when our end of stdin closes. */
  private updateRef(): void {
    const busy = this.listeners.size > 0;
    for (const handle of [this.child, this.child.stdin, this.child.stdout] as Array<{ ref(): void; unref(): void } | null>) {
      if (busy) handle?.ref();
      else handle?.unref();
    }
  }
}

let server: LaunchServer | undefined;

function launchServer(): LaunchServer {
  if (!server || server.dead) server = new LaunchServer();
  return server;
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
  for (const dir of typeof request.boxFrom === 'string' ? [request.boxFrom] : request.boxFrom ?? []) words.push('--box-from', dir);
  if (request.boxOut !== undefined) words.push('--box-out', request.boxOut);
  if (request.stdinPath !== undefined) words.push('--stdin', request.stdinPath);
  if (request.cwd !== undefined) words.push('--cwd', request.cwd);
  if (request.seccompPath !== undefined) words.push('--seccomp', request.seccompPath);
  for (const [name, value] of Object.entries(request.env)) words.push('--env', `${name}=${value}`);
  words.push('--', ...request.argv);
  return words;
}

/**
 * The launcher's input errors (die_input codes): what the caller gave, or what the sandbox left in
 * /box, is at fault, not the sandbox. Each becomes a UserError with a fix.
 */
export const BOX_INPUT_ERRORS: Readonly<Record<string, { code: string; fix: string }>> = {
  box_too_large: { code: 'E_BOX_TOO_LARGE', fix: 'submit fewer or smaller files, or raise the memory limit' },
  box_too_deep: { code: 'E_BOX_TOO_DEEP', fix: 'nest folders at most 64 deep' },
  box_out_too_large: { code: 'E_BOX_OUT_TOO_LARGE', fix: 'leave fewer or smaller files in the working folder' },
  box_out_too_deep: { code: 'E_BOX_OUT_TOO_DEEP', fix: 'nest folders in the working folder at most 64 deep' },
};

/** A UserError for a launcher input error, or undefined for any other failure. */
function inputError(failure: StatusEvent): UserError | undefined {
  const known = typeof failure.code === 'string' ? BOX_INPUT_ERRORS[failure.code] : undefined;
  return known && new UserError(known.code, `${failure.message ?? ''}: ${known.fix}`);
}

/** How a sandbox is prepared. */
export interface PrepareOptions {
  /**
   * Built ahead of demand: at idle CPU priority, so that building it never slows a run (a pool's
   * refill overlaps the run of the sandbox taken before it); raised when its run is wanted.
   * @defaultValue false
   */
  background?: boolean | undefined;
  /**
   * The CPUs of the slot the sandbox is for (a cpuset list such as "1"): it is built, supervised
   * and torn down there, and its cgroup's cpuset starts there, so a slot's sandboxes take no
   * other slot's CPU time. Give the run the same CPUs as its `cpuset` limit.
   * @defaultValue anywhere
   */
  cpus?: string | undefined;
}

function shapeOptions(layout: RootLayout, scratchKb: number, options: PrepareOptions): string[] {
  const { stateDir, evidenceMaxKb, evidenceMaxEntries, evidenceMaxFileKb } = config();
  const words = ['--root-lower', layout.skeleton, '--scratch-kb', String(scratchKb),
    '--evidence-dir', join(stateDir, 'evidence'), '--evidence-max-kb', String(evidenceMaxKb),
    '--evidence-max-entries', String(evidenceMaxEntries), '--evidence-max-file-kb', String(evidenceMaxFileKb)];
  for (const bind of layout.binds) words.push('--ro-bind', bind.src, bind.dst);
  if (options.background) words.push('--background');
  if (options.cpus !== undefined) words.push('--cpus', options.cpus);
  return words;
}

/** A sandbox being built or built, waiting for its one run. */
export class PreparedSandbox {
  private readonly server = launchServer();
  private readonly id: number;
  private readonly events: StatusEvent[] = [];
  private readonly stdout: Buffer[] = [];
  private readonly stderr: Buffer[] = [];
  private used_ = false;
  private linked = false;
  private built = false;
  private readonly background: boolean;
  private pid_: number | undefined;
  /** Resolves when the sandbox is built; rejects if building it failed. */
  readonly ready: Promise<void>;
  /** The run's report (or the end, without one): the launcher reports before it tears down. */
  private readonly reported: Promise<StatusEvent[]>;
  /** Resolves when the sandbox is gone: its processes, mounts and cgroup. */
  readonly closed: Promise<void>;

  constructor(layout: RootLayout, scratchKb: number, options: PrepareOptions = {}) {
    this.background = options.background ?? false;
    let onReady = (): void => {};
    let onFailed = (_: Error): void => {};
    let onReported = (_: StatusEvent[]): void => {};
    let onGone = (): void => {};
    this.ready = new Promise<void>((resolve, reject) => { onReady = resolve; onFailed = reject; });
    this.ready.catch(() => {}); // observed by run(); a pool's spare sandbox may never be awaited
    this.reported = new Promise((resolve) => { onReported = resolve; });
    this.closed = new Promise((resolve) => { onGone = resolve; });
    this.id = this.server.open({
      output: (kind, data) => (kind === FRAME.stdout ? this.stdout : this.stderr).push(data),
      status: (event) => {
        this.events.push(event);
        if (event.event === 'ready') {
          this.built = true;
          this.pid_ = typeof event.pid === 'number' ? event.pid : undefined;
          onReady();
        } else if (event.event === 'error') {
          onFailed(new InternalError('E_SANDBOX', `sandbox failed: ${event.message ?? 'unknown error'}`));
        } else if (event.event === 'exit') {
          onReported([...this.events]);
        } else if (event.event === 'gone') {
          if (!this.built) onFailed(new InternalError('E_SANDBOX', 'the launcher ended before the sandbox was ready'));
          this.server.close(this.id);
          onReported(this.events);
          onGone();
        }
      },
    });
    this.server.send(this.id, VERB.prepare, shapeOptions(layout, scratchKb, options));
  }

  /**
   * Runs one command in this sandbox; a sandbox serves exactly one run. Resolves with the report,
   * which the launcher sends before it tears the sandbox down: `closed` says when that is done.
   */
  async run(request: RunRequest): Promise<LaunchReport> {
    if (this.used_) throw new InternalError('E_SANDBOX_REUSED', 'a prepared sandbox serves one run only');
    if (this.linked && request.stdinPath !== undefined) throw new InternalError('E_SANDBOX_LINK', 'a linked sandbox reads the other one, not a stdin file');
    this.used_ = true;
    if (this.background && !this.built) this.server.send(this.id, VERB.raise, []); // we wait for it now
    await this.ready;
    this.server.send(this.id, VERB.run, runOptions(request));
    const events = await this.reported;
    const failure = events.find((e) => e.event === 'error');
    if (failure) throw inputError(failure) ?? new InternalError('E_SANDBOX', `sandbox failed: ${failure.message ?? 'unknown error'}`);
    const exit = events.find((e) => e.event === 'exit');
    if (!exit) throw new InternalError('E_SANDBOX', 'the launcher ended without reporting the run');
    const violation = events.find((e) => e.event === 'violation');
    const incident = events.find((e) => e.event === 'incident');
    return {
      ...(exit as unknown as Omit<LaunchReport, 'stdout' | 'stderr' | 'violation_event' | 'incident_event'>),
      stdout: Buffer.concat(this.stdout),
      stderr: Buffer.concat(this.stderr),
      violation_event: violation ? (violation as unknown as ViolationEvent) : null,
      incident_event: incident ? (incident as unknown as IncidentEvent) : null,
    };
  }

  /**
   * Joins this sandbox's program and `other`'s with two pipes: each one's stdout is the other's
   * stdin (their stdout is then not captured). Both must be waiting for their run; run both.
   */
  linkWith(other: PreparedSandbox): void {
    if (this.used_ || other.used_ || this.linked || other.linked) throw new InternalError('E_SANDBOX_LINK', 'only two sandboxes waiting for their run can be linked, once');
    this.linked = other.linked = true;
    this.server.send(this.id, VERB.link, [String(other.id)]);
  }

  /** Whether run() or dispose() was called: the sandbox is no longer waiting for a run. */
  get used(): boolean {
    return this.used_;
  }

  /** Host pid of this sandbox's supervisor, once ready (for logs, and tests that simulate a crash). */
  get pid(): number | undefined {
    return this.pid_;
  }

  /** Tears the sandbox down, whether it is waiting or running (the launcher removes its cgroup). */
  async dispose(): Promise<void> {
    this.used_ = true;
    this.server.send(this.id, VERB.cancel, []);
    await this.closed;
  }
}

/**
 * Resolves once every sandbox this process started is gone. A run's result comes before its
 * sandbox is torn down (the teardown is off the run's path); wait here before checking that
 * nothing remains, or before the process exits on purpose.
 */
export function sandboxesClosed(): Promise<void> {
  return server ? server.idle() : Promise.resolve();
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
