// CPU slots of a worker: each job holds one while it grades, and every sandbox of the job is pinned to its CPU;
// a job may borrow a slot nobody waits for to run one more of its tests at once.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

import { UsageError } from '../common/errors.js';
import type { SpareCpus } from '../grading/test-schedule.js';

/** `0-3,6` → `['0','1','2','3','6']`, as in cpuset.cpus and taskset. */
export function parseCpuList(text: string): string[] {
  const cpus = new Set<number>();
  for (const part of text.split(',')) {
    const range = /^(\d{1,4})(?:-(\d{1,4}))?$/.exec(part.trim());
    if (!range) throw new UsageError(`--cpus "${text}": "${part}" is not a CPU number or range; write it like 0-3,6`);
    const first = Number(range[1]);
    const last = range[2] === undefined ? first : Number(range[2]);
    if (last < first) throw new UsageError(`--cpus "${text}": range ${part} runs backwards; write ${last}-${first}`);
    for (let cpu = first; cpu <= last; cpu++) cpus.add(cpu);
  }
  return [...cpus].sort((a, b) => a - b).map(String);
}

/** Every CPU this process may run on (its affinity, which a container may narrow), e.g. `['0','1']`. */
export function defaultCpus(): string[] {
  try {
    const allowed = /^Cpus_allowed_list:\s*(\S+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (allowed) return parseCpuList(allowed);
  } catch {
    // not Linux, or /proc is missing: count instead
  }
  return Array.from({ length: availableParallelism() }, (_, i) => String(i));
}

/**
 * `concurrency` slots over `cpus`: slot i is pinned to cpus[i mod n], so with the default (one slot
 * per CPU) no two sandboxes share a CPU and CPU-time verdicts do not depend on the neighbours.
 * A job that finds every slot taken waits for one, first come first served.
 */
export class CpuSlots {
  private readonly free: string[];
  private readonly waiting: Array<{ resolve: (cpu: string) => void; signal?: AbortSignal }> = [];
  /** How many slots there are. */
  readonly size: number;

  constructor(cpus: string[], concurrency: number) {
    if (cpus.length === 0) throw new UsageError('--cpus names no CPU');
    this.free = Array.from({ length: concurrency }, (_, i) => cpus[i % cpus.length]!);
    this.size = concurrency;
  }

  /** How many slots no job holds now. */
  get freeCount(): number {
    return this.free.length;
  }

  /** Slots free now. */
  get idle(): number {
    return this.free.length;
  }

  /** A free slot's CPU, once there is one; rejects with the signal's reason if it aborts first. */
  acquire(signal?: AbortSignal): Promise<string> {
    signal?.throwIfAborted();
    const cpu = this.free.shift();
    if (cpu !== undefined) return Promise.resolve(cpu);
    return new Promise((resolve, reject) => {
      const waiter = { resolve, signal };
      this.waiting.push(waiter);
      signal?.addEventListener('abort', () => {
        const index = this.waiting.indexOf(waiter);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(signal.reason);
      }, { once: true });
    });
  }

  /** A free slot's CPU now, or undefined when none is free (a job waiting for one has it first). */
  tryAcquire(): string | undefined {
    return this.free.shift();
  }

  /** This set's idle slots as a grading may borrow them, one test at a time (see test-schedule.ts). */
  asSpare(): SpareCpus {
    return { borrow: () => this.tryAcquire(), giveBack: (cpu) => this.release(cpu) };
  }

  /** Gives the slot of `cpu` back: to the first job waiting, if any. */
  release(cpu: string): void {
    const next = this.waiting.shift();
    if (next) next.resolve(cpu);
    else this.free.push(cpu);
  }

  /** Runs `work` on a slot's CPU and gives the slot back after. */
  async use<T>(work: (cpu: string) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const cpu = await this.acquire(signal);
    try {
      return await work(cpu);
    } finally {
      this.release(cpu);
    }
  }
}
