// Harness mode: the instructor's unit tests run in one sandbox with the submission and write a
// Gradescope-style results.json, which is read from the exported /box as untrusted data.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { UserError } from '../common/errors.js';
import { resolveLimits } from '../sandbox/limits.js';
import type { RunResult } from '../sandbox/sandbox.js';
import { failedRunVerdict, incidentNote, isFailedRun, testResult, type IncidentNote, type TestResult } from './grade-result.js';
import type { GraderDefinition, Harness } from './grader-definition.js';
import { readHarnessResults } from './harness-results.js';
import type { LanguagePlan } from './languages.js';
import { runInContext, type RunContext } from './run-context.js';
import { testBox } from './test-box.js';

export interface HarnessOutcome {
  tests: TestResult[];
  /** The harness's own top-level message to students. */
  output: string;
  incidents: IncidentNote[];
}

/** When the harness wrote nothing usable, the whole run is one test worth the harness's points. */
function wholeRun(harness: Harness, verdict: TestResult['verdict'], feedback: string, run: RunResult): TestResult {
  return testResult({ name: 'harness', points: harness.maxScore, visibility: 'visible' }, verdict, feedback, run);
}

export async function runHarnessTests(grader: GraderDefinition, plan: LanguagePlan, built: string, scratch: string, context: RunContext): Promise<HarnessOutcome> {
  const harness = grader.harness!;
  const dir = testBox(built, grader.dir, [...grader.files, ...harness.files], scratch, 'harness');
  const out = join(scratch, 'harness-out');
  mkdirSync(out);
  const limits = resolveLimits({ ...grader.limits, cpuset: context.cpuset });
  const run = await runInContext(context, { argv: harness.run, limits, dir, boxOut: out, policy: plan.policy });
  const incidents = [incidentNote('harness', run)].filter((n): n is IncidentNote => n !== null);
  // Results count only when the harness ended normally (exit 0): the submission shares the
  // sandbox and could write a results file of its own and then kill the harness.
  if (isFailedRun(run)) {
    const { verdict, feedback } = failedRunVerdict(run);
    return { tests: [wholeRun(harness, verdict, feedback, run)], output: '', incidents };
  }
  try {
    const report = readHarnessResults(out, harness.results);
    const tests = report.tests.map((t) => {
      const verdict = t.status === 'passed' ? 'AC' : 'WA';
      const result = testResult({ name: t.name, points: t.max_score, visibility: t.visibility }, verdict, t.output, null);
      return { ...result, score: t.score, cpu_ms: run.cpu_ms, wall_ms: run.wall_ms, memory_kb: run.memory_kb };
    });
    return { tests, output: report.output, incidents };
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    return { tests: [wholeRun(harness, 'RE', `The tests could not report: ${error.message}`, run)], output: '', incidents };
  }
}
