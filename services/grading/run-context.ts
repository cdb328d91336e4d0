// What every sandboxed run of one grading shares: the seed, the CPU pin, the idle CPUs its tests
// may borrow, who is told of each judged test, and a record of how long each sandbox took beyond
// its program (for the operators' launch-duration metric).
import type { TestResult } from '../protocol/grade-result.js';
import { runSandboxed, type RunResult, type SandboxRun } from '../sandbox/sandbox.js';
import type { SpareCpus } from './test-schedule.js';

/** Told of each test as soon as it is judged (the worker reports a long grading's progress). */
export type TestDone = (test: TestResult, index: number, total: number) => void;

export interface RunContext {
  seed: number;
  /** CPUs every run is pinned to (a worker's slot); undefined: no pin. */
  cpuset: string | undefined;
  /** Idle CPU slots the tests may borrow to run several at once; undefined: one at a time. */
  spare: SpareCpus | undefined;
  /** Per run: wall time of the sandboxed run minus the program's own wall time, ms. */
  launchMs: number[];
  onTest?: TestDone | undefined;
}

export function newRunContext(seed: number, cpuset: string | undefined, spare?: SpareCpus, onTest?: TestDone): RunContext {
  return { seed, cpuset, spare, launchMs: [], onTest };
}

/** runSandboxed with the grading's seed, noting the sandbox's own time. */
export async function runInContext(context: RunContext, run: Omit<SandboxRun, 'seed'>): Promise<RunResult> {
  const started = performance.now();
  const result = await runSandboxed({ ...run, seed: context.seed });
  context.launchMs.push(Math.max(0, Math.round(performance.now() - started - result.wall_ms)));
  return result;
}
