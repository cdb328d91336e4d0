// The verdict rules: a sandboxed run's status → the test's verdict (and what the student may see
// of a failed run), a custom checker's exit and a harness's report → a test's verdict, the verdict of a submission that did
// not build, and a grading's overall verdict and whether it is gradable. The verdicts themselves
// are listed in services/protocol/grade-result.ts; the statuses in services/sandbox/outcome.ts.
import type { RunStatus } from '../sandbox/outcome.js';
import type { RunResult } from '../sandbox/sandbox.js';
import type { TestResult, Verdict } from '../protocol/grade-result.js';
import { capped } from './grade-result.js';

export type FailedRun = RunResult & { status: Exclude<RunStatus, 'ok'> };

const STATUS_VERDICT: Record<Exclude<RunStatus, 'ok'>, Verdict> = {
  runtime_error: 'RE', time_limit: 'TLE', wall_time_limit: 'TLE', memory_limit: 'MLE',
  output_limit: 'OLE', violation: 'SV', internal_error: 'IE',
};

export function isFailedRun(run: RunResult): run is FailedRun {
  return run.status !== 'ok';
}

/** The verdict of a run that did not end normally, with what the student may see of it. */
export function failedRunVerdict(run: FailedRun): { verdict: Verdict; feedback: string } {
  const verdict = STATUS_VERDICT[run.status];
  if (verdict === 'SV') return { verdict, feedback: `forbidden system call ${run.violation?.syscall ?? ''}` };
  if (verdict === 'RE') return { verdict, feedback: capped(run.stderr) };
  return { verdict, feedback: '' };
}

/**
 * A custom checker's run (testlib's convention): exit 0 accepts, exit 1 rejects; anything else
 * (another exit, a signal, a limit, a violation) is the checker's own failure, `IE`.
 */
export function checkerVerdict(run: RunResult): Extract<Verdict, 'AC' | 'WA' | 'IE'> {
  if (run.status === 'ok') return 'AC';
  if (run.status === 'runtime_error' && run.exit_code === 1) return 'WA';
  return 'IE';
}

/** A test as a harness reported it: it judged the test itself, so passed is AC and anything else WA. */
export function reportedVerdict(status: 'passed' | 'failed'): Extract<Verdict, 'AC' | 'WA'> {
  return status === 'passed' ? 'AC' : 'WA';
}

/** Every test of a submission that did not build: CE, or IE when the build's sandbox failed. */
export function unbuiltVerdict(build: { internalError: boolean }): Extract<Verdict, 'CE' | 'IE'> {
  return build.internalError ? 'IE' : 'CE';
}

/** A grading's verdict: its first test that is not AC decides. */
export function overallVerdict(tests: readonly TestResult[]): Verdict {
  return tests.find((t) => t.verdict !== 'AC')?.verdict ?? 'AC';
}

/** A grading is gradable unless a sandbox or a grader's own program failed (a test is IE). */
export function isGradable(tests: readonly TestResult[]): boolean {
  return !tests.some((t) => t.verdict === 'IE');
}
