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
 * A custom checker's run (protocol exit01): exit 0 accepts, exit 1 rejects; anything else
 * (another exit, a signal, a limit, a violation) is the checker's own failure, `IE`.
 */
export function checkerVerdict(run: RunResult): Extract<Verdict, 'AC' | 'WA' | 'IE'> {
  if (run.status === 'ok') return 'AC';
  if (run.status === 'runtime_error' && run.exit_code === 1) return 'WA';
  return 'IE';
}

/** What a checker decided about one test; `share` of the test's points (testlib's points), else all or nothing. */
export interface CheckerJudgement {
  verdict: Extract<Verdict, 'AC' | 'WA' | 'IE'>;
  share?: number | undefined;
  /** Why it is IE, for operators. */
  why?: string | undefined;
}

/** The exit code of a checker that ended by itself (exit 0 included), else null. */
function exitOf(run: RunResult): number | null {
  if (run.status === 'ok') return 0;
  return run.status === 'runtime_error' && run.signal === null ? run.exit_code : null;
}

/** The judgement of a checker that failed, saying how (for operators). */
export function checkerFailed(run: RunResult, what: string): CheckerJudgement {
  const exit = exitOf(run);
  const how = exit !== null ? `exit code ${exit}` : run.status === 'runtime_error' ? `signal ${run.signal}` : run.status;
  return { verdict: 'IE', why: `${what} (${how})` };
}

/**
 * testlib's exit codes (testlib.h: OK_EXIT_CODE 0, WA 1, PE 2, FAIL 3, DIRT 4, POINTS 7,
 * UNEXPECTED_EOF 8): a presentation error or an unexpected end of output is a wrong answer, FAIL is
 * the checker's own failure, and points give the test that share of its points: the number after
 * "points" in the message testlib writes to stderr (`quitp`), or else the first word of stdout, from
 * 0 to 1 (anything else is the checker's failure). A full share is AC, any less WA.
 */
export function testlibVerdict(run: RunResult): CheckerJudgement {
  const exit = exitOf(run);
  if (exit === 0) return { verdict: 'AC' };
  if (exit === 1 || exit === 2 || exit === 4 || exit === 8) return { verdict: 'WA' };
  if (exit === 3) return checkerFailed(run, 'the testlib checker reported FAIL');
  if (exit !== 7) return checkerFailed(run, 'the testlib checker failed');
  const share = pointsOf(run);
  if (share === undefined) return { verdict: 'IE', why: 'the testlib checker gave points (exit code 7) but no share from 0 to 1 on stderr ("points 0.5") or stdout' };
  return { verdict: share === 1 ? 'AC' : 'WA', share };
}

function pointsOf(run: RunResult): number | undefined {
  const text = /^\s*points\s+(\S+)/.exec(run.stderr)?.[1] ?? /^\s*(\S+)/.exec(run.stdout)?.[1];
  const share = text === undefined || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) ? NaN : Number(text);
  return share >= 0 && share <= 1 ? share : undefined;
}

/**
 * A Kattis output validator or interactor (problemarchive.org, "Reporting a judgement"): exit 42
 * accepts, 43 is a wrong answer, anything else, exit 0 included, is the validator's failure.
 */
export function kattisVerdict(run: RunResult): CheckerJudgement {
  const exit = exitOf(run);
  if (exit === 42) return { verdict: 'AC' };
  if (exit === 43) return { verdict: 'WA' };
  return checkerFailed(run, 'the output validator did not exit with 42 or 43');
}

/** The two runs of an interactive test and how they ended. */
export interface InteractiveRuns {
  interactor: RunResult;
  submission: RunResult;
  /** The submission was stopped because it ran on after the interactor had ended. */
  submissionCut: boolean;
}

/** Limits the submission meets by its own doing, whatever its partner did. */
const OWN_LIMITS: ReadonlySet<RunStatus> = new Set(['time_limit', 'wall_time_limit', 'memory_limit', 'output_limit']);

/**
 * A submission that died because the interactor had gone and its pipe with it: SIGPIPE (C, C++,
 * Go), or a runtime's broken-pipe error (Python's BrokenPipeError, Node's EPIPE). Which of the two
 * programs ended first cannot be told reliably from two sandboxes (their reports race), so the
 * cause is read from how the submission died.
 */
function diedOfClosedPipe(run: RunResult): boolean {
  const SIGPIPE = 13;
  return run.status === 'runtime_error' && (run.signal === SIGPIPE || /\b(BrokenPipeError|EPIPE)\b/.test(run.stderr));
}

/**
 * An interactive test's verdict. A forbidden call is SV and a failing interactor the grader's fault
 * (IE). A limit the submission met (time, wall time, memory, output) is its verdict. Otherwise the
 * interactor decides: its wrong answer is WA, unless the submission crashed by itself (RE); a crash
 * that only followed the end of the interaction (a write to the closed pipe) is not held against
 * it. An accepted interaction needs the submission to end cleanly too, and within 2 s (else TLE).
 */
export function interactiveVerdict(runs: InteractiveRuns): { verdict: Verdict; feedback: string; why?: string | undefined } {
  const { interactor, submission } = runs;
  if (submission.status === 'violation') return failedRunVerdict(submission as FailedRun);
  const judged = kattisVerdict(interactor);
  if (judged.verdict === 'IE') return { verdict: 'IE', feedback: '', why: `the interactor failed: ${judged.why ?? ''}` };
  if (OWN_LIMITS.has(submission.status)) return failedRunVerdict(submission as FailedRun);
  if (runs.submissionCut) {
    return judged.verdict === 'WA' ? { verdict: 'WA', feedback: '' } : { verdict: 'TLE', feedback: 'the program kept running after the interaction had ended' };
  }
  if (isFailedRun(submission) && !(judged.verdict === 'WA' && diedOfClosedPipe(submission))) return failedRunVerdict(submission);
  return { verdict: judged.verdict, feedback: '' };
}
/** A test as a harness reported it: it judged the test itself, so passed is AC and anything else WA. */
export function reportedVerdict(status: 'passed' | 'failed'): Extract<Verdict, 'AC' | 'WA'> {
  return status === 'passed' ? 'AC' : 'WA';
}

/** Every test of a submission that did not build: CE, or IE when the build's sandbox failed. */
export function unbuiltVerdict(build: { internalError: boolean }): Extract<Verdict, 'CE' | 'IE'> {
  return build.internalError ? 'IE' : 'CE';
}

/** A grading's verdict: its first test that ran and is not AC decides. */
export function overallVerdict(tests: readonly TestResult[]): Verdict {
  return tests.find((t) => t.verdict !== 'AC' && t.verdict !== null)?.verdict ?? 'AC';
}

/** A grading is gradable unless a sandbox or a grader's own program failed (a test is IE). */
export function isGradable(tests: readonly TestResult[]): boolean {
  return !tests.some((t) => t.verdict === 'IE');
}
