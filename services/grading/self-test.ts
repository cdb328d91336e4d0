// A grader's self-test (`gradebox grader test`): every program under its submissions/ whose verdict
// is known is graded through the real pipeline, and each whose verdict differs is reported, so an
// instructor finds a wrong test or checker before students do.
import { UserError } from '../common/errors.js';
import type { Verdict } from '../protocol/grade-result.js';
import { gradeSubmission } from './grade.js';
import { loadGrader } from './load-grader.js';
import { selfTestPrograms, type SelfTestProgram } from './self-test-programs.js';

export interface SelfTestOutcome {
  program: SelfTestProgram;
  verdict: Verdict;
  score: number;
  maxScore: number;
  /** It got a verdict it may get (and a partial program some points, not all), and the grading was gradable. */
  agrees: boolean;
  /** The first line of what explains the verdict: a failing test and its feedback, or the error. */
  detail: string;
}

export interface SelfTestReport {
  graderDir: string;
  outcomes: SelfTestOutcome[];
  /** Every program agrees. */
  passed: boolean;
}

export interface SelfTestOptions {
  seed?: number | undefined;
  cpuset?: string | undefined;
  /** Told each outcome as soon as it is known (the command prints as it goes). */
  onOutcome?: ((outcome: SelfTestOutcome) => void) | undefined;
}

async function gradeProgram(graderDir: string, program: SelfTestProgram, options: SelfTestOptions): Promise<SelfTestOutcome> {
  try {
    const result = await gradeSubmission({ graderDir, submission: program.path, seed: options.seed, cpuset: options.cpuset });
    const failing = result.tests.find((t) => t.verdict !== 'AC');
    const partialOk = !program.partial || (result.score > 0 && result.score < result.max_score);
    return {
      program, verdict: result.verdict, score: result.score, maxScore: result.max_score,
      agrees: result.gradable && program.expected.includes(result.verdict) && partialOk,
      detail: failing ? `${failing.name}: ${failing.output.split('\n')[0] ?? ''}`.slice(0, 200) : result.output.split('\n')[0] ?? '',
    };
  } catch (error) {
    // A fault of the submission itself (no source, several languages) is what a student would get as CE.
    if (!(error instanceof UserError && error.code.startsWith('E_SUBMISSION_'))) throw error;
    return { program, verdict: 'CE', score: 0, maxScore: 0, agrees: program.expected.includes('CE'), detail: error.message };
  }
}

/** Grades every self-test program of the grader in `graderDir`, one after another. Throws a UserError
 * for a grader that does not load or has no self-test program (E_SELF_TEST_EMPTY). */
export async function selfTestGrader(graderDir: string, options: SelfTestOptions = {}): Promise<SelfTestReport> {
  const grader = loadGrader(graderDir);
  const programs = selfTestPrograms(grader.dir);
  if (programs.length === 0) {
    throw new UserError('E_SELF_TEST_EMPTY', `${grader.dir}: no self-test programs; put known-good and known-bad programs in submissions/accepted/, submissions/wrong_answer/, ... (or list them in submissions/expected.json)`);
  }
  const outcomes: SelfTestOutcome[] = [];
  for (const program of programs) {
    const outcome = await gradeProgram(grader.dir, program, options);
    outcomes.push(outcome);
    options.onOutcome?.(outcome);
  }
  return { graderDir: grader.dir, outcomes, passed: outcomes.every((o) => o.agrees) };
}
