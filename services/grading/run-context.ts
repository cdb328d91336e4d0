// What every sandboxed run of one grading shares: the seed, the CPU pin, the idle CPUs its tests
// may borrow, and a record of how long each sandbox took beyond its program (for the operators'
// launch-duration metric).
import { runSandboxed, type RunResult, type SandboxRun } from '../sandbox/sandbox.js';
import type { SpareCpus } from './test-schedule.js';

export interface RunContext {
  seed: number;
  /** CPUs every run is pinned to (a worker's slot); undefined: no pin. */
  cpuset: string | undefined;
  /** Idle CPU slots the tests may borrow to run several at once; undefined: one at a time. */
  spare: SpareCpus | undefined;
  /** Per run: wall time of the sandboxed run minus the program's own wall time, ms. */
  launchMs: number[];
}

export function newRunContext(seed: number, cpuset: string | undefined, spare?: SpareCpus): RunContext {
  return { seed, cpuset, spare, launchMs: [] };
}

/** runSandboxed with the grading's seed, noting the sandbox's own time. */
export async function runInContext(context: RunContext, run: Omit<SandboxRun, 'seed'>): Promise<RunResult> {
  const started = performance.now();
  const result = await runSandboxed({ ...run, seed: context.seed });
  context.launchMs.push(Math.max(0, Math.round(performance.now() - started - result.wall_ms)));
  return result;
}
