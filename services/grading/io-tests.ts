// Stdin/stdout tests: each test runs the built program in a fresh sandbox, then a checker compares.
import { readFileSync } from 'node:fs';

import type { IncidentNote, TestResult, Verdict } from '../protocol/grade-result.js';
import { resolveLimits } from '../sandbox/limits.js';
import type { RootLayout } from '../sandbox/layers.js';
import { SandboxPool } from '../sandbox/pool.js';
import { scratchKbFor, type RunResult } from '../sandbox/sandbox.js';
import { compareOutput, type CheckerName } from './checkers.js';
import { runCustomChecker } from './custom-checker.js';
import { incidentNote, testResult } from './grade-result.js';
import type { GraderDefinition, GraderTest } from './grader-definition.js';
import type { LanguagePlan } from './languages/plan.js';
import { runInContext, type RunContext } from './run-context.js';
import { copyGraderFiles } from './test-box.js';
import { failedRunVerdict, isFailedRun } from './verdicts.js';

export interface IoOutcome {
  tests: TestResult[];
  incidents: IncidentNote[];
  /** What operators should know: a failing custom checker. */
  problems: string[];
}

interface Judged { verdict: Verdict; feedback: string; problem?: string | undefined }

async function judge(grader: GraderDefinition, test: GraderTest, run: RunResult, scratch: string, context: RunContext): Promise<Judged> {
  if (isFailedRun(run)) return failedRunVerdict(run);
  if (test.checker === 'custom') return runCustomChecker(grader.customChecker!, grader.dir, test, run.stdout, scratch, context);
  if (!test.expect) return { verdict: 'AC', feedback: '' };
  const check = compareOutput(test.checker as CheckerName, readFileSync(test.expect, 'utf8'), run.stdout, { tolerance: test.tolerance });
  return { verdict: check.ok ? 'AC' : 'WA', feedback: check.ok ? '' : check.feedback };
}

export interface IoRunOptions {
  grader: GraderDefinition;
  plan: LanguagePlan;
  built: string;
  layout: RootLayout;
  scratch: string;
  context: RunContext;
}

export async function runIoTests({ grader, plan, built, layout, scratch, context }: IoRunOptions): Promise<IoOutcome> {
  const memoryMb = Math.max(...grader.tests.map((t) => t.limits.memoryMb));
  // Sandboxes are built ahead while the previous test runs, as many as the tests will take; a test
  // with a smaller scratch gets its own.
  const demand = grader.tests.filter((t) => t.limits.memoryMb === memoryMb).length;
  const pool = new SandboxPool({ layout, scratchKb: scratchKbFor(resolveLimits({ memoryMb })), size: Math.min(2, demand), demand });
  const outcome: IoOutcome = { tests: [], incidents: [], problems: [] };
  // /box is laid from the build's output, the grader's files (copied once per grading) and the
  // test's own files, in that order: nothing is written into the build's output.
  const graderFiles = grader.files.length ? [copyGraderFiles(grader.files, grader.dir, scratch, 'grader-files')] : [];
  try {
    for (const [index, test] of grader.tests.entries()) {
      const limits = resolveLimits({ ...test.limits, cpuset: context.cpuset });
      const testFiles = test.files.length ? [copyGraderFiles(test.files, grader.dir, scratch, `test-files-${index}`)] : [];
      const dir = [built, ...graderFiles, ...testFiles];
      const prepared = limits.memoryMb === memoryMb ? pool.take() : undefined;
      const run = await runInContext(context, { argv: [...plan.run, ...test.args], limits, dir, stdin: test.stdin, policy: plan.policy, layout, prepared });
      const judged = await judge(grader, test, run, scratch, context);
      outcome.tests.push(testResult(test, judged.verdict, judged.feedback, run));
      const note = incidentNote(test.name, run);
      if (note) outcome.incidents.push(note);
      if (judged.problem) outcome.problems.push(`${test.name}: ${judged.problem}`);
    }
  } finally {
    await pool.close();
  }
  return outcome;
}
