// Keeps the processes of `gradebox start` running: a child that dies unexpectedly is restarted
// (with a growing pause, so a crash loop does not spin), and stop() ends exactly the children it
// started, gracefully first (SIGTERM), then for good (SIGKILL) after a grace period.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from 'pino';

export interface ChildSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  uid?: number;
  gid?: number;
}

const MAX_RESTART_PAUSE_MS = 10_000;
const STOP_GRACE_MS = 30_000;

export class SupervisedChild {
  private child: ChildProcess | null = null;
  private stopping = false;
  private restartPauseMs = 250;
  private exitWaiters: Array<() => void> = [];

  constructor(private readonly spec: ChildSpec, private readonly logger: Logger) {}

  /** The running child's pid, or null between a crash and its restart. */
  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  start(): void {
    const { spec } = this;
    // The child writes its output (logs, the first course key) straight to ours: nothing to relay.
    const child = spawn(spec.command, spec.args, { env: spec.env ?? process.env, uid: spec.uid, gid: spec.gid, stdio: ['ignore', 'inherit', 'inherit'] });
    this.child = child;
    const startedAt = Date.now();
    child.on('error', (error) => this.logger.error({ child: spec.name, err: error }, 'could not start'));
    child.on('exit', (code, signal) => {
      this.child = null;
      for (const wake of this.exitWaiters.splice(0)) wake();
      if (this.stopping) return;
      // A child that ran a while before dying starts over with a short pause.
      if (Date.now() - startedAt > 60_000) this.restartPauseMs = 250;
      this.logger.warn({ child: spec.name, code, signal, restart_in_ms: this.restartPauseMs }, 'exited; restarting');
      setTimeout(() => { if (!this.stopping) this.start(); }, this.restartPauseMs).unref();
      this.restartPauseMs = Math.min(this.restartPauseMs * 2, MAX_RESTART_PAUSE_MS);
    });
  }

  /** SIGTERM, then SIGKILL after the grace period; resolves when the child is gone. */
  async stop(graceMs = STOP_GRACE_MS): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (!child) return;
    const gone = new Promise<void>((resolve) => this.exitWaiters.push(resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await gone;
    clearTimeout(timer);
  }
}
