// Stdin/stdout tests: each test runs the built program in a fresh sandbox, then a checker compares;
// test-schedule.ts decides the order, how many at once, and where a failure stops them.
import { readFileSync } from 'node:fs';

import type { IncidentNote, OutputDiff, TestResult, Verdict } from '../protocol/grade-result.js';
import { resolveLimits } from '../sandbox/limits.js';
import type { RootLayout } from '../sandbox/layers.js';
import { PoolsByCpu } from '../sandbox/pool.js';
import { prepareSandbox, scratchKbFor, type RunResult } from '../sandbox/sandbox.js';
import { compareOutput, type CheckerName } from './checkers.js';
import { runCustomChecker } from './custom-checker.js';
import { incidentNote, notRunResult, testResult } from './grade-result.js';
import type { GraderDefinition, GraderTest } from './grader-definition.js';
import type { LanguagePlan } from './languages/plan.js';
import { outputDiff } from './output-diff.js';
import { readyProgram, type ProgramReady } from './program-build.js';
import { runInContext, type RunContext } from './run-context.js';
import { runScheduled } from './test-schedule.js';
import { copyGraderFiles } from './test-box.js';
import { failedRunVerdict, isFailedRun } from './verdicts.js';

export interface IoOutcome {
  tests: TestResult[];
  incidents: IncidentNote[];
  /** What operators should know: a failing custom checker. */
  problems: string[];
}

interface Judged { verdict: Verdict; feedback: string; share?: number | undefined; problem?: string | undefined; diff?: OutputDiff }

async function judge(grader: GraderDefinition, checker: ProgramReady | null, test: GraderTest, run: RunResult, scratch: string, context: RunContext): Promise<Judged> {
  if (isFailedRun(run)) return failedRunVerdict(run);
  if (test.checker === 'custom') {
    if (!checker?.ready) return { verdict: 'IE', feedback: '', problem: `the custom checker: ${checker?.failed ?? 'not ready'}` };
    return runCustomChecker(grader.customChecker!, checker.ready, test, run.stdout, scratch, context);
  }
  if (!test.expect) return { verdict: 'AC', feedback: '' };
  const expected = readFileSync(test.expect, 'utf8');
  const check = compareOutput(test.checker as CheckerName, expected, run.stdout,
    { tolerance: test.tolerance, caseSensitive: test.caseSensitive, spaceChangeSensitive: test.spaceChangeSensitive });
  return check.ok ? { verdict: 'AC', feedback: '' } : { verdict: 'WA', feedback: check.feedback, diff: outputDiff(expected, run.stdout) };
}

/** The custom checker, ready once for every test of the grading (built once per grader digest). */
async function readyChecker(grader: GraderDefinition, scratch: string, context: RunContext): Promise<ProgramReady | null> {
  if (!grader.customChecker || !grader.tests.some((t) => t.checker === 'custom')) return null;
  return readyProgram(grader.customChecker, 'custom_checker', grader.digest, scratch, context);
}

export interface IoRunOptions {
  grader: GraderDefinition;
  plan: LanguagePlan;
  built: string;
  layout: RootLayout;
  scratch: string;
  context: RunContext;
}

/** What one test left: its result, and what operators should know of it. */
interface TestOutcome {
  test: TestResult;
  incident: IncidentNote | null;
  problem: string | undefined;
}

export async function runIoTests({ grader, plan, built, layout, scratch, context }: IoRunOptions): Promise<IoOutcome> {
  const memoryMb = Math.max(...grader.tests.map((t) => t.limits.memoryMb));
  const checker = await readyChecker(grader, scratch, context);
  // Sandboxes are built ahead while earlier tests run, on the CPU each test will run on, as many
  // as the tests will take; a test with a smaller scratch gets its own.
  const demand = grader.tests.filter((t) => t.limits.memoryMb === memoryMb).length;
  const pools = new PoolsByCpu({ layout, scratchKb: scratchKbFor(resolveLimits({ memoryMb })), size: Math.min(2, demand), demand });
  // /box is laid from the build's output, the grader's files (copied once per grading) and the
  // test's own files, in that order: nothing is written into the build's output.
  const graderFiles = grader.files.length ? [copyGraderFiles(grader.files, grader.dir, scratch, 'grader-files')] : [];
  const runOne = async (index: number, cpu: string | undefined, signal: AbortSignal): Promise<{ result: TestOutcome | null; failed: boolean }> => {
    const test = grader.tests[index]!;
    const limits = resolveLimits({ ...test.limits, cpuset: cpu });
    const testFiles = test.files.length ? [copyGraderFiles(test.files, grader.dir, scratch, `test-files-${index}`)] : [];
    const sandbox = limits.memoryMb === memoryMb ? pools.take(cpu) : prepareSandbox(limits, layout);
    const cancel = (): void => void sandbox.dispose();
    signal.addEventListener('abort', cancel, { once: true });
    const laneContext = { ...context, cpuset: cpu };
    let run: RunResult;
    try {
      run = await runInContext(laneContext, { argv: [...plan.run, ...test.args], limits, dir: [built, ...graderFiles, ...testFiles], stdin: test.stdin, policy: plan.policy, layout, prepared: sandbox });
    } catch (error) {
      if (signal.aborted) return { result: null, failed: false }; // cancelled: reported as not run
      throw error;
    } finally {
      signal.removeEventListener('abort', cancel);
    }
    const judged = await judge(grader, checker, test, run, scratch, laneContext);
    const result = { test: { ...testResult(test, judged.verdict, judged.feedback, run, judged.share), ...(judged.diff ? { diff: judged.diff } : {}) }, incident: incidentNote(test.name, run), problem: judged.problem };
    context.onTest?.(result.test, index, grader.tests.length);
    return { result, failed: judged.verdict !== 'AC' };
  };
  try {
    const outcomes = await runScheduled(grader.tests.length, { ownCpu: context.cpuset, spare: context.spare, stopOnFailure: grader.stopOnFailure }, runOne);
    return collect(grader.tests, outcomes);
  } finally {
    await pools.close();
  }
}

/** The tests' results in the grader's order; a test that did not run is reported as not run. */
function collect(tests: readonly GraderTest[], outcomes: ReadonlyArray<TestOutcome | null | undefined>): IoOutcome {
  const collected: IoOutcome = { tests: [], incidents: [], problems: [] };
  tests.forEach((test, index) => {
    const outcome = outcomes[index];
    if (!outcome) {
      collected.tests.push(notRunResult(test));
      return;
    }
    collected.tests.push(outcome.test);
    if (outcome.incident) collected.incidents.push(outcome.incident);
    if (outcome.problem) collected.problems.push(`${test.name}: ${outcome.problem}`);
  });
  return collected;
}
