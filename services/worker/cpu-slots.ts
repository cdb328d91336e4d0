// CPU slots of a worker: each job holds one while it grades, and every sandbox of the job is pinned to its CPU.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

import { InternalError, UsageError } from '../common/errors.js';

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
 */
export class CpuSlots {
  private readonly free: string[];

  constructor(cpus: string[], concurrency: number) {
    if (cpus.length === 0) throw new UsageError('--cpus names no CPU');
    this.free = Array.from({ length: concurrency }, (_, i) => cpus[i % cpus.length]!);
  }

  /** A slot's CPU; the worker never runs more jobs than slots, so one is always free. */
  take(): string {
    const cpu = this.free.shift();
    if (cpu === undefined) throw new InternalError('E_NO_SLOT', 'a job started while every CPU slot was taken');
    return cpu;
  }

  give(cpu: string): void {
    this.free.push(cpu);
  }
}
