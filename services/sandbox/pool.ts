// Sandboxes prepared ahead of demand: building namespaces, cgroups and mounts takes longer than a
// short run itself, so a pool keeps a few built and waiting, and refills as they are taken. They
// are built in the background (at idle CPU priority), so a refill never slows the run it overlaps.
import type { RootLayout } from './layers.js';
import { PreparedSandbox } from './launcher.js';

export interface PoolOptions {
  layout: RootLayout;
  /** Size of each sandbox's scratch tmpfs (/box, /tmp, upper layer), KiB. */
  scratchKb: number;
  /** Sandboxes kept prepared. @defaultValue 2 */
  size?: number;
  /**
   * How many sandboxes the pool will hand out in all, when the caller knows (a grading's tests):
   * it prepares no more than that, so none is built only to be torn down unused.
   * @defaultValue no limit
   */
  demand?: number;
  /** The slot's CPUs: every sandbox of the pool is built there (see PrepareOptions.cpus). @defaultValue anywhere */
  cpus?: string | undefined;
}

export class SandboxPool {
  private readonly waiting: PreparedSandbox[] = [];
  /** Handed out and maybe still being torn down (a run reports before its teardown). */
  private readonly taken = new Set<PreparedSandbox>();
  private closed = false;
  /** Sandboxes still to prepare before the demand is met. */
  private unprepared: number;

  constructor(private readonly options: PoolOptions) {
    this.unprepared = options.demand ?? Infinity;
    for (let i = 0; i < (options.size ?? 2); i++) this.refill();
  }

  /** One more sandbox of this pool's shape; counted against the demand. */
  private prepare(background: boolean): PreparedSandbox {
    this.unprepared--;
    return new PreparedSandbox(this.options.layout, this.options.scratchKb, { background, cpus: this.options.cpus });
  }

  /** A spare, built in the background, while the demand is not met. */
  private refill(): void {
    if (this.unprepared > 0) this.waiting.push(this.prepare(true));
  }

  /** A sandbox for one run: the oldest prepared one (or one built now); a spare is started in its place. */
  take(): PreparedSandbox {
    if (this.closed) throw new Error('the sandbox pool is closed');
    const sandbox = this.waiting.shift() ?? this.prepare(false);
    this.refill();
    this.taken.add(sandbox);
    void sandbox.closed.then(() => this.taken.delete(sandbox));
    return sandbox;
  }

  /** Tears down every sandbox still waiting, and waits until those handed out are gone too. */
  async close(): Promise<void> {
    this.closed = true;
    const unused = [...this.waiting.splice(0), ...[...this.taken].filter((s) => !s.used)];
    await Promise.all([...unused.map((s) => s.dispose()), ...[...this.taken].map((s) => s.closed)]);
  }
}
