// A grader's own checker program, run in a sandbox of its own for each test: it reads the test's
// input, the student's output and the expected answer, and says its verdict by its protocol
// (grader.yaml's custom_checker.protocol): exit01 (0 accepts, 1 rejects, its stdout the feedback),
// testlib (the testlib library's exit codes and points, its message on stderr) or kattis (a Kattis
// output validator: `validator input answer feedback_dir [args] < output`, 42 or 43, its feedback
// files). Anything else is the checker's failure, never charged to the student.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { Verdict } from '../protocol/grade-result.js';
import { resolveLimits } from '../sandbox/limits.js';
import type { RunResult } from '../sandbox/sandbox.js';
import { readFeedback } from './feedback-files.js';
import { capped } from './grade-result.js';
import type { CheckerProtocol, CustomChecker, GraderTest } from './grader-definition.js';
import type { ReadyProgram } from './program-build.js';
import { runInContext, type RunContext } from './run-context.js';
import { checkerFailed, checkerVerdict, kattisVerdict, testlibVerdict, type CheckerJudgement } from './verdicts.js';

/** The checker's files, as /box sees them. */
export const CHECKER_INPUT = 'input.txt';
export const CHECKER_OUTPUT = 'output.txt';
export const CHECKER_ANSWER = 'answer.txt';
/** The Kattis protocol's feedback_dir (its name ends with a slash, as the specification asks). */
export const FEEDBACK_DIR = 'feedback/';

export const CHECKER_LIMITS = { cpuMs: 5000, wallMs: 10_000, memoryMb: 512, outputKb: 64 };

export interface CheckerVerdict {
  verdict: Extract<Verdict, 'AC' | 'WA' | 'IE'>;
  /** What the student may see: the checker's message, capped. */
  feedback: string;
  /** The share of the test's points (testlib's points); none: all or nothing. */
  share?: number | undefined;
  /** For operators, when the checker itself failed. */
  problem?: string;
}

/** The test's files beside the checker in /box; for kattis the student's output goes to stdin instead. */
function judgeFiles(protocol: CheckerProtocol, test: GraderTest, studentOutput: string, scratch: string): { box: string; stdin?: string } {
  const folder = mkdtempSync(join(scratch, 'judge-'));
  const box = join(folder, 'box');
  mkdirSync(box);
  writeFileSync(join(box, CHECKER_INPUT), test.stdin ? readFileSync(test.stdin) : '');
  writeFileSync(join(box, CHECKER_ANSWER), test.expect ? readFileSync(test.expect) : '');
  if (protocol !== 'kattis') {
    writeFileSync(join(box, CHECKER_OUTPUT), studentOutput);
    return { box };
  }
  mkdirSync(join(box, FEEDBACK_DIR));
  writeFileSync(join(folder, 'team_output'), studentOutput);
  return { box, stdin: join(folder, 'team_output') };
}

function argvOf(checker: CustomChecker, program: ReadyProgram): string[] {
  const files = checker.protocol === 'kattis' ? [CHECKER_INPUT, CHECKER_ANSWER, FEEDBACK_DIR] : [CHECKER_INPUT, CHECKER_OUTPUT, CHECKER_ANSWER];
  return [...program.run, ...files, ...checker.args];
}

const JUDGEMENTS: Record<CheckerProtocol, (run: RunResult) => CheckerJudgement> = {
  exit01: (run) => (checkerVerdict(run) === 'IE' ? checkerFailed(run, 'the custom checker failed') : { verdict: checkerVerdict(run) }),
  testlib: testlibVerdict,
  kattis: kattisVerdict,
};

export async function runCustomChecker(
  checker: CustomChecker, program: ReadyProgram, test: GraderTest, studentOutput: string, scratch: string, context: RunContext,
): Promise<CheckerVerdict> {
  const { box, stdin } = judgeFiles(checker.protocol, test, studentOutput, scratch);
  const out = checker.protocol === 'kattis' ? mkdtempSync(join(scratch, 'judged-')) : undefined;
  const run = await runInContext(context, {
    argv: argvOf(checker, program),
    limits: resolveLimits({ ...CHECKER_LIMITS, cpuset: context.cpuset }),
    dir: [program.box, box],
    boxOut: out,
    stdin,
    policy: program.policy,
  });
  const judged = JUDGEMENTS[checker.protocol](run);
  const feedback = out ? readFeedback(join(out, FEEDBACK_DIR)) : { team: checker.protocol === 'testlib' ? run.stderr : run.stdout, judge: '' };
  if (judged.verdict !== 'IE') return { verdict: judged.verdict, feedback: capped(feedback.team), share: judged.share };
  return { verdict: 'IE', feedback: '', problem: `${judged.why ?? 'the custom checker failed'}: ${capped(`${feedback.judge}${run.stderr}`, 512)}` };
}
