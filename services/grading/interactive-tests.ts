// Interactive tests (mode interactive, a Kattis package's `validation: custom interactive`): for
// each test the submission and the interactor run in two sandboxes joined by pipes, each one's
// stdout the other's stdin (runLinked). The interactor is the grader's program, started as the
// Kattis format says, `interactor input answer feedback_dir [args]`, and its exit code decides
// (42 accepted, 43 wrong answer); both are limited and each runs under its own policy.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { IncidentNote, TestResult } from '../protocol/grade-result.js';
import { resolveLimits } from '../sandbox/limits.js';
import { runLinked } from '../sandbox/sandbox.js';
import { CHECKER_ANSWER, CHECKER_INPUT, CHECKER_LIMITS, FEEDBACK_DIR } from './custom-checker.js';
import { readFeedback } from './feedback-files.js';
import { capped, incidentNote, testResult } from './grade-result.js';
import type { GraderTest } from './grader-definition.js';
import type { IoOutcome, IoRunOptions } from './io-tests.js';
import { readyProgram, type ReadyProgram } from './program-build.js';
import { copyGraderFiles } from './test-box.js';
import { interactiveVerdict } from './verdicts.js';

/** The interactor outlives the submission's own wall clock by this much, so a submission that
 * waits forever meets its own limit (TLE) before the interactor meets its. */
const INTERACTOR_WALL_MARGIN_MS = 5000;

function interactorLimits(test: GraderTest, cpuset: string | undefined) {
  return resolveLimits({ ...CHECKER_LIMITS, cpuMs: CHECKER_LIMITS.cpuMs + test.limits.cpuMs, wallMs: test.limits.wallMs + INTERACTOR_WALL_MARGIN_MS, cpuset });
}

/** The interactor's side of /box: the test's input and answer, and an empty feedback folder. */
function judgeBox(test: GraderTest, scratch: string): string {
  const box = mkdtempSync(join(scratch, 'interactor-'));
  writeFileSync(join(box, CHECKER_INPUT), test.stdin ? readFileSync(test.stdin) : '');
  writeFileSync(join(box, CHECKER_ANSWER), test.expect ? readFileSync(test.expect) : '');
  mkdirSync(join(box, FEEDBACK_DIR));
  return box;
}

interface Interacted { result: TestResult; incidents: IncidentNote[]; problem?: string | undefined }

async function interact(options: IoRunOptions, interactor: ReadyProgram, test: GraderTest, submissionBox: string[]): Promise<Interacted> {
  const { grader, plan, layout, scratch, context } = options;
  const out = mkdtempSync(join(scratch, 'interacted-'));
  const started = performance.now();
  const linked = await runLinked(
    { argv: [...interactor.run, CHECKER_INPUT, CHECKER_ANSWER, FEEDBACK_DIR, ...grader.interactor!.args], limits: interactorLimits(test, context.cpuset),
      dir: [interactor.box, judgeBox(test, scratch)], boxOut: out, policy: interactor.policy, seed: context.seed },
    { argv: [...plan.run, ...test.args], limits: resolveLimits({ ...test.limits, cpuset: context.cpuset }), dir: submissionBox,
      policy: plan.policy, layout, seed: context.seed },
  );
  const { first, second: submission } = linked;
  context.launchMs.push(Math.max(0, Math.round(performance.now() - started - Math.max(first.wall_ms, submission.wall_ms))));
  const judged = interactiveVerdict({ interactor: first, submission, submissionCut: linked.secondCut });
  const messages = readFeedback(join(out, FEEDBACK_DIR));
  const incidents = [incidentNote(test.name, submission), incidentNote(`${test.name} (interactor)`, first)].filter((n): n is IncidentNote => n !== null);
  const feedback = judged.verdict === 'AC' || (judged.verdict === 'WA' && judged.feedback === '') ? messages.team : judged.feedback;
  const problem = judged.verdict === 'IE' ? `${judged.why ?? 'the interactor failed'}: ${capped(`${messages.judge}${first.stderr}`, 512)}` : undefined;
  return { result: testResult(test, judged.verdict, judged.verdict === 'IE' ? '' : feedback, submission), incidents, problem };
}

export async function runInteractiveTests(options: IoRunOptions): Promise<IoOutcome> {
  const { grader, built, scratch, context } = options;
  const outcome: IoOutcome = { tests: [], incidents: [], problems: [] };
  const interactor = await readyProgram(grader.interactor!, 'interactor', grader.digest, scratch, context);
  const graderFiles = grader.files.length ? [copyGraderFiles(grader.files, grader.dir, scratch, 'grader-files')] : [];
  for (const [index, test] of grader.tests.entries()) {
    if (!interactor.ready) {
      outcome.tests.push(testResult(test, 'IE', '', null));
      outcome.problems.push(`${test.name}: the interactor: ${interactor.failed}`);
      continue;
    }
    const testFiles = test.files.length ? [copyGraderFiles(test.files, grader.dir, scratch, `test-files-${index}`)] : [];
    const done = await interact(options, interactor.ready, test, [built, ...graderFiles, ...testFiles]);
    outcome.tests.push(done.result);
    outcome.incidents.push(...done.incidents);
    if (done.problem) outcome.problems.push(`${test.name}: ${done.problem}`);
  }
  return outcome;
}
