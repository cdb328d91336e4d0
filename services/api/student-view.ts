// What a course portal may show a student of a grading result, decided when it is read from the
// stored result and the assignment's state now (nothing is regraded when a due date passes or
// feedback is released). Hidden tests reveal only their score; `after_due_date` tests nothing
// before the due date, `after_published` tests nothing before the release, and while any test is
// withheld the total score and verdict are too (they would tell how the withheld tests went).
// Operator-only fields (incidents, evidence paths, internal problems) never leave.
import type { GradeResult, TestResult, Verdict } from '../protocol/grade-result.js';
import type { TestProgress } from '../protocol/result-message.js';
import { internalFailureSentence } from './student-failure.js';

/** The state of an assignment that decides what is withheld. */
export interface FeedbackState {
  /** ISO-8601; null: no due date, so `after_due_date` feedback stays withheld. */
  dueAt: string | null;
  /** Null: not released, so `after_published` feedback stays withheld. */
  feedbackReleasedAt: string | null;
}

/** Tests left out of the student's view, counted by the visibility that withholds them. */
export interface Withheld {
  after_due_date: number;
  after_published: number;
}

type HiddenTest = Pick<TestResult, 'name' | 'score' | 'max_score' | 'status' | 'visibility'>;

export type StudentResult = Omit<GradeResult, 'incidents' | 'internal_problems' | 'sandbox_launch_ms' | 'provenance' | 'tests' | 'score' | 'verdict'> & {
  /** Null while tests are withheld. */
  score: number | null;
  /** Null while tests are withheld. */
  verdict: Verdict | null;
  tests: Array<TestResult | HiddenTest>;
  withheld: Withheld;
  provenance: Omit<GradeResult['provenance'], 'grader_dir'>;
};

/** Whether a test of this visibility is withheld from students at `now` (ms). */
export function isWithheld(visibility: string, state: FeedbackState, now: number): boolean {
  if (visibility === 'after_due_date') return state.dueAt === null || now < Date.parse(state.dueAt);
  if (visibility === 'after_published') return state.feedbackReleasedAt === null;
  return false;
}

/** Visibilities whose tests are shown whole once not withheld; any other (hidden, or unknown) keeps only its score. */
const SHOWN_WHOLE: ReadonlySet<string> = new Set(['visible', 'after_due_date', 'after_published']);

/** One shown test; an IE test's output is the sandbox's business, not the student's; the staff's diff (it holds the expected output) never. */
function shownTest(t: TestResult): TestResult | HiddenTest {
  if (!SHOWN_WHOLE.has(t.visibility)) return { name: t.name, score: t.score, max_score: t.max_score, status: t.status, visibility: t.visibility };
  const { diff: _staffOnly, ...shown } = t;
  return t.verdict === 'IE' ? { ...shown, output: '' } : shown;
}

/** A test of a grading in progress as a student may see it: a hidden one only its score, like the result's. */
export function progressShown(t: TestProgress): Partial<TestProgress> {
  const { index, name, score, max_score, visibility } = t;
  return SHOWN_WHOLE.has(visibility) ? (t.verdict === 'IE' ? { index, name, score, max_score, visibility, verdict: 'IE' } : t) : { index, name, score, max_score, visibility };
}

/** `reference` names the grading in the sentence shown when the result is not gradable (the sandbox failed). */
export function studentView(result: GradeResult, state: FeedbackState, reference: string, now = Date.now()): StudentResult {
  const { incidents: _incidents, internal_problems: _problems, sandbox_launch_ms: _launches, provenance, tests, score, verdict, output, ...rest } = result;
  const { grader_dir: _dir, ...publicProvenance } = provenance;
  const withheld: Withheld = { after_due_date: 0, after_published: 0 };
  const shown: Array<TestResult | HiddenTest> = [];
  for (const t of tests) {
    if (isWithheld(t.visibility, state, now)) withheld[t.visibility as keyof Withheld] += 1;
    else shown.push(shownTest(t));
  }
  const anyWithheld = withheld.after_due_date + withheld.after_published > 0;
  return {
    ...rest,
    score: anyWithheld ? null : score,
    verdict: anyWithheld ? null : verdict,
    // A sandbox that failed in the build puts its own output here: students get the sentence instead.
    output: result.gradable ? output : internalFailureSentence(reference),
    tests: shown,
    withheld,
    provenance: publicProvenance,
  };
}
