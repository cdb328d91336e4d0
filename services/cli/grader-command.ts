// `gradebox grader test GRADER_DIR [--json] [--seed N]`: the grader's self-test. Every program
// under submissions/ whose verdict is known is graded; exit 0 when each gets its verdict, 3 when
// any does not (each one named), 2 for bad usage or a grader that does not load.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

import { UsageError } from '../common/errors.js';
import { selfTestGrader, type SelfTestOutcome } from '../grading/self-test.js';
import { integerFlag, parseFlags } from './args.js';

export const DISAGREES_EXIT_CODE = 3;

const HELP = `usage: gradebox grader test GRADER_DIR [--json] [--seed N]

Grades every program under GRADER_DIR/submissions/ whose verdict is known: those listed in
submissions/expected.json, and each file or folder in a folder named for its verdict (Kattis names:
accepted, wrong_answer, time_limit_exceeded, run_time_error, memory_limit_exceeded,
output_limit_exceeded, compile_error, rejected, brute_force, partially_accepted; or the verdict
itself: ac, wa, tle, mle, ole, re, ce, sv). Exit 0: every program got its verdict; 3: some did
not (listed at the end); 2: bad usage, or a grader that does not load.
`;

function line(outcome: SelfTestOutcome): string {
  const { program, verdict, score, maxScore, agrees, detail } = outcome;
  const wanted = program.partial ? 'WA with some points' : program.expected.join(' or ');
  const head = `${agrees ? 'ok  ' : 'FAIL'} ${program.name.padEnd(40)} ${verdict.padEnd(3)} ${score}/${maxScore}`;
  return agrees ? head : `${head}  (expected ${wanted})${detail ? `  ${detail}` : ''}`;
}

export async function graderCommand(argv: string[], print: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  const { values, positionals } = parseFlags(argv, { json: { type: 'boolean' }, seed: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, true);
  if (values.help) {
    print(HELP);
    return 0;
  }
  const [action, dir, ...extra] = positionals;
  if (action !== 'test' || dir === undefined || extra.length > 0) throw new UsageError(`expected: grader test GRADER_DIR\n\n${HELP}`);
  const graderDir = resolve(dir);
  if (!existsSync(`${graderDir}/grader.yaml`)) throw new UsageError(`${dir}: no grader.yaml there`);
  const report = await selfTestGrader(graderDir, {
    seed: integerFlag('--seed', values.seed),
    onOutcome: values.json ? undefined : (outcome) => print(`${line(outcome)}\n`),
  });
  const failed = report.outcomes.filter((o) => !o.agrees);
  if (values.json) {
    print(`${JSON.stringify({ grader: report.graderDir, passed: report.passed, programs: report.outcomes.map((o) => ({ ...o, program: o.program.name, expected: o.program.expected })) }, null, 2)}\n`);
  } else {
    print(failed.length === 0
      ? `self-test passed: ${report.outcomes.length} programs got their verdicts\n`
      : `self-test failed: ${failed.length} of ${report.outcomes.length} programs did not get their verdict: ${failed.map((o) => o.program.name).join(', ')}\n`);
  }
  return failed.length === 0 ? 0 : DISAGREES_EXIT_CODE;
}
