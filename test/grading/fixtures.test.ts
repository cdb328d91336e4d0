// Every example grader in graders/ with its sample submissions: each gets exactly the verdict
// its submissions/expected.json names (submitted with the entry file it names, showing the student
// the feedback it names), through the real pipeline (build and tests sandboxed).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { fromPackageRoot } from '../../services/common/package-root.js';
import { gradeSubmission, type GradeResult } from '../../services/grading/grade.js';
import { expectedGradings, shownFeedback } from '../support/expected-gradings.js';

const GRADERS = fromPackageRoot('graders');

// graders/kattis/ holds problem packages, not graders: test/grading/kattis-examples.test.ts imports them.
for (const grader of readdirSync(GRADERS).sort().filter((name) => existsSync(join(GRADERS, name, 'grader.yaml')))) {
  const dir = join(GRADERS, grader);
  for (const expected of expectedGradings(dir)) {
    test(`${grader}: ${expected.label} gets ${expected.verdict}`, async () => {
      const result = await gradeSubmission({ graderDir: dir, submission: expected.submission, entry: expected.entry });
      const feedback = shownFeedback(result);
      assert.is(result.verdict, expected.verdict, JSON.stringify(result.tests.map((t) => [t.name, t.verdict, t.output]), null, 1) + result.output);
      assert.is(result.gradable, true);
      assert.is(result.provenance.entry, expected.entry ?? null);
      if (expected.verdict === 'AC') assert.is(result.score, result.max_score);
      if (expected.verdict === 'CE') assert.match(result.output, /^Compile error:/);
      if (expected.feedback) assert.ok(feedback.includes(expected.feedback), `the student is told "${expected.feedback}"; they see:\n${feedback}`);
    });
  }
}

function withoutTimings(result: GradeResult): unknown {
  return {
    ...result,
    execution_time: 0,
    sandbox_launch_ms: result.sandbox_launch_ms.map(() => 0),
    tests: result.tests.map((t) => ({ ...t, cpu_ms: 0, wall_ms: 0, memory_kb: 0 })),
  };
}

test('grading the same submission twice gives identical results apart from timings', async () => {
  const dir = join(GRADERS, 'sum-c');
  const options = { graderDir: dir, submission: join(dir, 'submissions', 'wrong.c') };
  const first = await gradeSubmission(options);
  const second = await gradeSubmission(options);
  assert.equal(withoutTimings(second), withoutTimings(first));
  assert.is(first.provenance.grader_digest.length, 64);
  assert.is(first.provenance.policy.name, 'default');
});

test('hidden tests reveal nothing but their score', async () => {
  const dir = join(GRADERS, 'sum-c');
  const result = await gradeSubmission({ graderDir: dir, submission: join(dir, 'submissions', 'wrong.c') });
  const hidden = result.tests.filter((t) => t.visibility === 'hidden');
  assert.ok(hidden.length > 0);
  for (const t of hidden) assert.is(t.output, '');
  assert.ok(hidden.some((t) => t.verdict === 'WA'));
});

test.run();
