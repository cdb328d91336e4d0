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
}

export class SandboxPool {
  private readonly waiting: PreparedSandbox[] = [];
  /** Handed out and maybe still being torn down (a run reports before its teardown). */
  private readonly taken = new Set<PreparedSandbox>();
  private closed = false;
  private readonly size: number;

  constructor(private readonly options: PoolOptions) {
    this.size = options.size ?? 2;
    for (let i = 0; i < this.size; i++) this.waiting.push(this.prepare());
  }

  private prepare(): PreparedSandbox {
    return new PreparedSandbox(this.options.layout, this.options.scratchKb, { background: true });
  }

  /** A sandbox for one run: the oldest prepared one; a fresh one is started in its place. */
  take(): PreparedSandbox {
    if (this.closed) throw new Error('the sandbox pool is closed');
    const sandbox = this.waiting.shift() ?? this.prepare();
    this.waiting.push(this.prepare());
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
