// Sandboxes prepared ahead of demand: building namespaces, cgroups and mounts takes longer than a
// short run itself, so a pool keeps a few built and waiting, and refills as they are taken. They
// are built in the background (at idle CPU priority), so a refill never slows the run it overlaps.
// A pool builds on one slot's CPUs; runs spread over several CPUs take from one pool per CPU
// (PoolsByCpu), so that no run waits while its sandbox's processes are moved to another CPU.
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
   * it prepares no more than that, so none is built only to be torn down unused. Pools that share
   * one Demand prepare no more than it, together.
   * @defaultValue no limit
   */
  demand?: number | Demand;
  /** The slot's CPUs: every sandbox of the pool is built there (see PrepareOptions.cpus). @defaultValue anywhere */
  cpus?: string | undefined;
}

/** Sandboxes still to prepare, shared by the pools of one job. */
export interface Demand {
  left: number;
}

export class SandboxPool {
  private readonly waiting: PreparedSandbox[] = [];
  /** Handed out and maybe still being torn down (a run reports before its teardown). */
  private readonly taken = new Set<PreparedSandbox>();
  private closed = false;
  /** Sandboxes still to prepare before the demand is met. */
  private readonly unprepared: Demand;

  constructor(private readonly options: PoolOptions) {
    const { demand } = options;
    this.unprepared = typeof demand === 'object' ? demand : { left: demand ?? Infinity };
    for (let i = 0; i < (options.size ?? 2); i++) this.refill();
  }

  /** One more sandbox of this pool's shape; counted against the demand. */
  private prepare(background: boolean): PreparedSandbox {
    this.unprepared.left--;
    return new PreparedSandbox(this.options.layout, this.options.scratchKb, { background, cpus: this.options.cpus });
  }

  /** A spare, built in the background, while the demand is not met. */
  private refill(): void {
    if (this.unprepared.left > 0) this.waiting.push(this.prepare(true));
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

  /** A prepared sandbox if one is waiting (a spare is started in its place), else undefined. */
  takeWaiting(): PreparedSandbox | undefined {
    return this.waiting.length > 0 ? this.take() : undefined;
  }

  /** Tears down every sandbox still waiting, and waits until those handed out are gone too. */
  async close(): Promise<void> {
    this.closed = true;
    const unused = [...this.waiting.splice(0), ...[...this.taken].filter((s) => !s.used)];
    await Promise.all([...unused.map((s) => s.dispose()), ...[...this.taken].map((s) => s.closed)]);
  }
}

/**
 * One pool per CPU a job's runs are spread over (a grading's own slot and the idle ones its tests
 * borrow), made when a CPU is first used, all counted against one demand. Once the demand is met,
 * a CPU without a spare takes another CPU's (its processes are moved for the run) rather than
 * build one more, which would leave that spare unused.
 */
export class PoolsByCpu {
  private readonly pools = new Map<string | undefined, SandboxPool>();
  private readonly demand: Demand;

  constructor(private readonly options: Omit<PoolOptions, 'cpus' | 'demand'> & { demand?: number }) {
    this.demand = { left: options.demand ?? Infinity };
  }

  /** A sandbox built on `cpus` (undefined: anywhere), for a run pinned there. */
  take(cpus: string | undefined): PreparedSandbox {
    let pool = this.pools.get(cpus);
    if (!pool) {
      pool = new SandboxPool({ ...this.options, cpus, demand: this.demand });
      this.pools.set(cpus, pool);
    }
    if (this.demand.left > 0) return pool.take();
    for (const other of [pool, ...this.pools.values()]) {
      const waiting = other.takeWaiting();
      if (waiting) return waiting;
    }
    return pool.take();
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((pool) => pool.close()));
  }
}
