// The sample submissions of an example grader and what each must get, as its
// submissions/expected.json says: a verdict, or an object naming the submission (a file or folder
// of submissions/; the key by default), the entry file it is submitted with, the verdict, a piece
// of the feedback the student must see, and the code the API refuses its upload with when it can
// never be graded. Read the same way by every test that grades them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { z } from 'zod';

import { VERDICTS, type Verdict } from '../../services/protocol/grade-result.js';

export interface ExpectedGrading {
  /** The key in expected.json. */
  label: string;
  /** Absolute path of the submission. */
  submission: string;
  entry: string | undefined;
  verdict: Verdict;
  /** Must appear in the result's output or a test's. */
  feedback: string | undefined;
  /** The API answers 422 with this code instead of queueing it. */
  upload: string | undefined;
}

const entrySchema = z.union([
  z.enum(VERDICTS),
  z.strictObject({
    submission: z.string().optional(),
    entry: z.string().optional(),
    verdict: z.enum(VERDICTS),
    feedback: z.string().optional(),
    upload: z.string().regex(/^E_[A-Z_]+$/).optional(),
  }),
]);

export function expectedGradings(graderDir: string): ExpectedGrading[] {
  const file = join(graderDir, 'submissions', 'expected.json');
  const entries = z.record(z.string(), entrySchema).parse(JSON.parse(readFileSync(file, 'utf8')));
  return Object.entries(entries).map(([label, expected]) => {
    const { submission = label, entry, verdict, feedback, upload } = typeof expected === 'string' ? { verdict: expected } : expected;
    return { label, submission: join(graderDir, 'submissions', submission), entry, verdict, feedback, upload };
  });
}

/** Everything the student is shown of a result: its output and each test's. */
export function shownFeedback(result: { output: string; tests: Array<{ output: string }> }): string {
  return [result.output, ...result.tests.map((t) => t.output)].join('\n');
}
