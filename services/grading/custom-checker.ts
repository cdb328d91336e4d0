// A grader's own checker program, run in a sandbox of its own: it reads the test's input, the
// student's output and the expected answer (testlib's order) and says accepted (exit 0) or wrong
// answer (exit 1). Anything else is the checker's failure, never charged to the student.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { Verdict } from '../protocol/grade-result.js';
import { resolveLimits } from '../sandbox/limits.js';
import { capped } from './grade-result.js';
import type { CustomChecker, GraderTest } from './grader-definition.js';
import { policyForProgram } from './languages/registry.js';
import { runInContext, type RunContext } from './run-context.js';
import { copyGraderFiles } from './test-box.js';
import { checkerVerdict } from './verdicts.js';

/** The checker's files, as /box sees them. */
export const CHECKER_INPUT = 'input.txt';
export const CHECKER_OUTPUT = 'output.txt';
export const CHECKER_ANSWER = 'answer.txt';

const CHECKER_LIMITS = { cpuMs: 5000, wallMs: 10_000, memoryMb: 512, outputKb: 64 };

export interface CheckerVerdict {
  verdict: Extract<Verdict, 'AC' | 'WA' | 'IE'>;
  /** What the student may see: the checker's stdout, capped. */
  feedback: string;
  /** For operators, when the checker itself failed. */
  problem?: string;
}

export async function runCustomChecker(
  checker: CustomChecker, graderDir: string, test: GraderTest, studentOutput: string, scratch: string, context: RunContext,
): Promise<CheckerVerdict> {
  const box = copyGraderFiles(checker.files, graderDir, scratch, 'checker');
  writeFileSync(join(box, CHECKER_INPUT), test.stdin ? readFileSync(test.stdin) : '');
  writeFileSync(join(box, CHECKER_OUTPUT), studentOutput);
  writeFileSync(join(box, CHECKER_ANSWER), test.expect ? readFileSync(test.expect) : '');
  const run = await runInContext(context, {
    argv: [...checker.run, CHECKER_INPUT, CHECKER_OUTPUT, CHECKER_ANSWER],
    limits: resolveLimits({ ...CHECKER_LIMITS, cpuset: context.cpuset }),
    dir: box,
    policy: policyForProgram(checker.run[0]!),
  });
  const verdict = checkerVerdict(run);
  if (verdict !== 'IE') return { verdict, feedback: capped(run.stdout) };
  const how = run.status === 'runtime_error' ? `exit code ${run.exit_code ?? `signal ${run.signal}`}` : run.status;
  return { verdict: 'IE', feedback: '', problem: `the custom checker failed (${how}): ${capped(run.stderr, 512)}` };
}
