// The order tests run in: one after another on the grading's own CPU, and on more CPUs at once
// while the worker has idle slots to lend (each test still in its own sandbox, its own cgroup and
// its own CPU time). With stop-on-failure, the first failing test in the grader's order ends the
// grading: no later test starts, later ones still running are cancelled, and all of them are
// reported as not run; earlier ones still finish, so the outcome does not depend on timing.

/** Idle CPU slots a grading may borrow for its tests (a worker's, or `gradebox grade --cpus`). */
export interface SpareCpus {
  /** An idle slot's CPU, held until given back; undefined when none is idle now. */
  borrow(): string | undefined;
  giveBack(cpu: string): void;
}

export interface ScheduleOptions {
  /** The grading's own CPU (undefined: not pinned); always one lane. */
  ownCpu: string | undefined;
  spare?: SpareCpus | undefined;
  stopOnFailure: boolean;
}

/** One test's run on a CPU; `signal` aborts when the test is no longer wanted (stop-on-failure). */
export type RunOne<T> = (index: number, cpu: string | undefined, signal: AbortSignal) => Promise<{ result: T; failed: boolean }>;

/** The results of `count` tests in order; undefined for a test that did not run. */
export function runScheduled<T>(count: number, options: ScheduleOptions, runOne: RunOne<T>): Promise<Array<T | undefined>> {
  const results = new Array<T | undefined>(count).fill(undefined);
  const running = new Map<number, AbortController>();
  let next = 0;
  let firstFailure = count;
  let ownBusy = false;
  let error: unknown;
  return new Promise((resolve, reject) => {
    const wanted = (): boolean => error === undefined && next < firstFailure;
    const settleIfDone = (): void => {
      if (running.size > 0 || (wanted() && next < count)) return;
      if (error !== undefined) reject(error);
      // A test that ended before an earlier one failed ran, but after the first failure: not run.
      else resolve(results.map((result, index) => (index <= firstFailure ? result : undefined)));
    };
    const finished = (index: number, outcome: { result: T; failed: boolean }): void => {
      if (index >= firstFailure) return; // cancelled, or after the first failure: not run
      results[index] = outcome.result;
      if (!options.stopOnFailure || !outcome.failed) return;
      firstFailure = index;
      for (const [later, controller] of running) if (later > index) controller.abort();
    };
    const start = (index: number, cpu: string | undefined, borrowed: boolean): void => {
      const controller = new AbortController();
      running.set(index, controller);
      runOne(index, cpu, controller.signal).then((outcome) => finished(index, outcome), (failure: unknown) => {
        error ??= failure;
        for (const other of running.values()) other.abort();
      }).finally(() => {
        running.delete(index);
        // A borrowed CPU goes back after each test, so a job waiting for a slot gets it first.
        if (borrowed) options.spare!.giveBack(cpu!);
        else ownBusy = false;
        startMore();
        settleIfDone();
      });
    };
    const startMore = (): void => {
      while (wanted() && next < count) {
        if (!ownBusy) {
          ownBusy = true;
          start(next++, options.ownCpu, false);
          continue;
        }
        const cpu = options.spare?.borrow();
        if (cpu === undefined) return;
        start(next++, cpu, true);
      }
    };
    startMore();
    settleIfDone();
  });
}
