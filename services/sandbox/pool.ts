// Sandboxes prepared ahead of demand: building namespaces, cgroups and mounts takes longer than a
// short run itself, so a pool keeps a few built and waiting, and refills as they are taken.
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
  private closed = false;
  private readonly size: number;

  constructor(private readonly options: PoolOptions) {
    this.size = options.size ?? 2;
    for (let i = 0; i < this.size; i++) this.waiting.push(this.prepare());
  }

  private prepare(): PreparedSandbox {
    return new PreparedSandbox(this.options.layout, this.options.scratchKb);
  }

  /** A sandbox for one run: the oldest prepared one; a fresh one is started in its place. */
  take(): PreparedSandbox {
    if (this.closed) throw new Error('the sandbox pool is closed');
    const sandbox = this.waiting.shift() ?? this.prepare();
    this.waiting.push(this.prepare());
    return sandbox;
  }

  /** Tears down every sandbox still waiting. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.waiting.splice(0).map((s) => s.dispose()));
  }
}
