// The student's view of a result at its edges: the instant of the due date, a visibility the API
// does not know (shown as hidden: fail closed), a failure code it does not know (the sentence).
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { studentFailureMessage } from '../../services/api/student-failure.js';
import { isWithheld, studentView } from '../../services/api/student-view.js';
import type { GradeResult, TestResult } from '../../services/protocol/grade-result.js';

function result(tests: Array<Pick<TestResult, 'name' | 'visibility' | 'output'>>): GradeResult {
  return {
    score: tests.length, max_score: tests.length, execution_time: 0.1, output: '', verdict: 'AC', gradable: true,
    tests: tests.map((t) => ({ ...t, score: 1, max_score: 1, status: 'passed', verdict: 'AC', cpu_ms: 1, wall_ms: 1, memory_kb: 1 })),
    provenance: {
      grader_digest: 'a'.repeat(64), grader_dir: '/srv/graders/x', policy: { name: 'python', digest: 'b' }, build_policy: null,
      runtime_layers_digest: 'c', limits_digest: 'd', seed: 1, entry: null, gradebox_version: 'test',
    },
    incidents: [], internal_problems: [], sandbox_launch_ms: [],
  };
}

test('after_due_date is withheld until the due instant, and without a due date; after_published until released', () => {
  const due = '2026-05-01T12:00:00.000Z';
  const at = Date.parse(due);
  const state = { dueAt: due, feedbackReleasedAt: null };
  assert.equal([isWithheld('after_due_date', state, at - 1), isWithheld('after_due_date', state, at)], [true, false]);
  assert.ok(isWithheld('after_due_date', { dueAt: null, feedbackReleasedAt: due }, at + 1e9), 'a release does not pass a due date');
  assert.ok(isWithheld('after_published', state, at + 1e9));
  assert.not.ok(isWithheld('after_published', { dueAt: null, feedbackReleasedAt: due }, 0));
  for (const visibility of ['visible', 'hidden']) assert.not.ok(isWithheld(visibility, { dueAt: null, feedbackReleasedAt: null }, 0));
});

test('a visibility the API does not know shows no more than a hidden test', () => {
  const view = studentView(result([{ name: 'odd', visibility: 'staff_only', output: 'expected 42' }]), { dueAt: null, feedbackReleasedAt: null }, 'sub_x.1');
  assert.equal(view.tests, [{ name: 'odd', score: 1, max_score: 1, status: 'passed', visibility: 'staff_only' }]);
  assert.equal([view.score, view.verdict], [1, 'AC']);
});

test("a test's staff diff (it holds the expected output) never reaches a student, even of a visible test", () => {
  const graded = result([{ name: 'shown', visibility: 'visible', output: 'line 1: expected "6", got "7"' }]);
  graded.tests[0]!.diff = { first_line: 1, from_line: 1, expected: '6', actual: '7' };
  const view = studentView(graded, { dueAt: null, feedbackReleasedAt: null }, 'sub_x.1');
  assert.is(view.tests.length, 1);
  assert.not.ok('diff' in view.tests[0]!);
  assert.is((view.tests[0] as TestResult).output, 'line 1: expected "6", got "7"');
});

test('nothing withheld: the score and verdict are shown, the grader folder is not', () => {
  const view = studentView(result([{ name: 'a', visibility: 'visible', output: 'ok' }]), { dueAt: null, feedbackReleasedAt: null }, 'sub_x.1');
  assert.equal([view.score, view.verdict, view.withheld], [1, 'AC', { after_due_date: 0, after_published: 0 }]);
  assert.not.ok('grader_dir' in view.provenance);
});

test("a failure's message is shown only for a code known to be the student's own", () => {
  const message = 'the submission has no .py file for language python';
  assert.is(studentFailureMessage({ message, code: 'E_SUBMISSION_NO_SOURCE' }, 'sub_x.1'), message);
  for (const code of ['E_SUBMISSION_SOMETHING_NEW', 'E_GRADER_FILE', null, undefined]) {
    const shown = studentFailureMessage({ message, code }, 'sub_x.1');
    assert.ok(shown.includes('sub_x.1') && !shown.includes(message), `${String(code)}: ${shown}`);
  }
});

test.run();
