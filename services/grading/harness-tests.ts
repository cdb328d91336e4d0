// Harness mode: the instructor's test runner and the submission run in two sandboxes joined by
// pipes (each one's stdout is the other's stdin). The runner owns the tests, the comparisons and
// the report (a Gradescope-style results.json in its own /box); the submission's code never runs
// where it could write that report, end the runner early or hand it a live object: what it says
// crosses the pipe as data.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { UserError } from '../common/errors.js';
import type { IncidentNote, TestResult, Verdict } from '../protocol/grade-result.js';
import type { RootLayout } from '../sandbox/layers.js';
import { resolveLimits } from '../sandbox/limits.js';
import { runLinked, type RunResult } from '../sandbox/sandbox.js';
import { capped, incidentNote, testResult } from './grade-result.js';
import type { GraderDefinition, Harness } from './grader-definition.js';
import { readHarnessResults } from './harness-results.js';
import type { LanguagePlan } from './languages/plan.js';
import { policyForProgram } from './languages/registry.js';
import type { RunContext } from './run-context.js';
import { copyGraderFiles, testBox } from './test-box.js';
import { failedRunVerdict, isFailedRun, reportedVerdict, type FailedRun } from './verdicts.js';

export interface HarnessOutcome {
  tests: TestResult[];
  /** The harness's own top-level message to students. */
  output: string;
  incidents: IncidentNote[];
  /** What operators should know: the harness itself failed. */
  problems: string[];
}

/** When the harness reported nothing usable, the whole run is one test worth the harness's points. */
function wholeRun(harness: Harness, verdict: Verdict, feedback: string, run: RunResult | null): TestResult {
  return testResult({ name: 'harness', points: harness.maxScore, visibility: 'visible' }, verdict, feedback, run);
}

/** The runner's /box: the grader's files only, in a folder of its own (nothing of the submission). */
function runnerBox(grader: GraderDefinition, harness: Harness, scratch: string): string {
  return copyGraderFiles([...grader.files, ...harness.files], grader.dir, scratch, 'harness');
}

/** The tests as the runner reported them, with the candidate's resource use. */
function reportedTests(out: string, harness: Harness, candidate: RunResult): { tests: TestResult[]; output: string } {
  const report = readHarnessResults(out, harness.results);
  const tests = report.tests.map((t) => {
    const result = testResult({ name: t.name, points: t.max_score, visibility: t.visibility }, reportedVerdict(t.status), t.output, null);
    return { ...result, score: t.score, cpu_ms: candidate.cpu_ms, wall_ms: candidate.wall_ms, memory_kb: candidate.memory_kb };
  });
  return { tests, output: report.output };
}

export async function runHarnessTests(grader: GraderDefinition, plan: LanguagePlan, built: string, layout: RootLayout, scratch: string, context: RunContext): Promise<HarnessOutcome> {
  const harness = grader.harness!;
  const out = join(scratch, 'harness-out');
  mkdirSync(out);
  const limits = resolveLimits({ ...grader.limits, cpuset: context.cpuset });
  const started = performance.now();
  const { first: runner, second: candidate, secondCut } = await runLinked(
    { argv: harness.run, limits, dir: runnerBox(grader, harness, scratch), boxOut: out, policy: policyForProgram(harness.run[0]!), seed: context.seed },
    { argv: harness.candidate.run ?? plan.run, limits, dir: testBox(built, grader.dir, [...grader.files, ...harness.candidate.files], scratch, 'candidate'),
      policy: plan.policy, layout, seed: context.seed },
  );
  context.launchMs.push(Math.max(0, Math.round(performance.now() - started - Math.max(runner.wall_ms, candidate.wall_ms))));
  const incidents = [incidentNote('harness', candidate), incidentNote('harness runner', runner)].filter((n): n is IncidentNote => n !== null);
  // A forbidden call by the submission is its verdict, whatever the runner reported.
  if (candidate.status === 'violation') {
    const { verdict, feedback } = failedRunVerdict(candidate as FailedRun);
    return { tests: [wholeRun(harness, verdict, feedback, candidate)], output: '', incidents, problems: [] };
  }
  // The runner is the instructor's: when it fails or reports nothing usable, the grader is at fault.
  const runnerFailed = isFailedRun(runner) && runner.status !== 'runtime_error';
  try {
    if (runnerFailed) throw new UserError('E_HARNESS_RUN', `the harness ended: ${runner.status}`);
    const reported = reportedTests(out, harness, candidate);
    return { ...reported, incidents, problems: [] };
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    const detail = `${error.message}; harness stderr: ${capped(runner.stderr, 512)}${secondCut ? ' (the submission was stopped after the harness ended)' : ''}`;
    return { tests: [wholeRun(harness, 'IE', '', runner)], output: '', incidents, problems: [`harness: ${detail}`] };
  }
}
