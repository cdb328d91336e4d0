// Custom checkers: run sandboxed, accept any right answer, and when they fail themselves the
// test is IE (not gradable), never charged to the student.
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { fromPackageRoot } from '../../services/common/package-root.js';
import { gradeSubmission } from '../../services/grading/grade.js';
import { removeTempDirs, tempDir } from '../support/helpers.js';

const TWO_SUM = fromPackageRoot('graders/two-sum-python');

test.after.each(removeTempDirs);

/** The two-sum grader with its checker replaced by `checker`. */
function twoSumWithChecker(checker: string): string {
  const dir = tempDir();
  cpSync(TWO_SUM, dir, { recursive: true });
  writeFileSync(join(dir, 'checker.py'), checker);
  return dir;
}

test('a right answer that differs from the reference is accepted; the checker says why a wrong one fails', async () => {
  const accepted = await gradeSubmission({ graderDir: TWO_SUM, submission: join(TWO_SUM, 'submissions', 'accepted.py') });
  assert.is(accepted.verdict, 'AC');
  assert.is(accepted.score, 4);
  const wrong = await gradeSubmission({ graderDir: TWO_SUM, submission: join(TWO_SUM, 'submissions', 'wrong.py') });
  assert.is(wrong.verdict, 'WA');
  const first = wrong.tests.find((t) => t.name === '1')!;
  assert.is(first.verdict, 'WA');
  assert.is(first.output, 'a[1] + a[4] = 17, not 9\n');
});

test('a checker that crashes makes the test IE: not gradable, with a note for operators', async () => {
  const grader = twoSumWithChecker('import sys\nsys.exit(3)\n');
  const result = await gradeSubmission({ graderDir: grader, submission: join(TWO_SUM, 'submissions', 'accepted.py') });
  assert.is(result.verdict, 'IE');
  assert.is(result.gradable, false);
  assert.ok(result.tests.every((t) => t.verdict === 'IE' && t.output === ''));
  assert.match(result.internal_problems.join('\n'), /custom checker failed \(exit code 3\)/);
});

test('the checker runs sandboxed: no host files, /box as its folder, and a forbidden call is caught', async () => {
  const inside = twoSumWithChecker([
    'import os, sys',
    'hidden = not os.path.exists("/work") and not os.path.exists("/root/.npmrc") and os.getcwd() == "/box"',
    'sys.exit(0 if hidden else 3)',
  ].join('\n'));
  const accepted = await gradeSubmission({ graderDir: inside, submission: join(TWO_SUM, 'submissions', 'accepted.py') });
  assert.is(accepted.verdict, 'AC', accepted.internal_problems.join('\n'));

  const forbidden = twoSumWithChecker('import ctypes\nctypes.CDLL(None).syscall(246, 0, 0, 0, 0)\n'); // kexec_load
  const result = await gradeSubmission({ graderDir: forbidden, submission: join(TWO_SUM, 'submissions', 'accepted.py') });
  assert.is(result.verdict, 'IE');
  assert.match(result.internal_problems.join('\n'), /custom checker failed \(violation\)/);
});

const GO_CHECKER = `package main

import (
	"fmt"
	"os"
	"strings"
)

// Accepts the expected sum with any spacing; says why otherwise.
func main() {
	output, _ := os.ReadFile(os.Args[2])
	answer, _ := os.ReadFile(os.Args[3])
	if strings.Join(strings.Fields(string(output)), " ") != strings.TrimSpace(string(answer)) {
		fmt.Println("not the sum")
		os.Exit(1)
	}
}
`;

test('a checker in Go started with go run runs under the go policy (under default, the Go runtime\'s getrlimit would be a violation)', async () => {
  const dir = tempDir();
  cpSync(fromPackageRoot('graders/sum-go'), dir, { recursive: true });
  writeFileSync(join(dir, 'checker.go'), GO_CHECKER);
  writeFileSync(join(dir, 'grader.yaml'), `language: go
custom_checker: { run: [go, run, checker.go], files: [checker.go] }
tests:
  - glob: tests/hidden/*.in
    checker: custom
`);
  const accepted = await gradeSubmission({ graderDir: dir, submission: join(dir, 'submissions', 'accepted.go') });
  assert.equal([accepted.verdict, accepted.gradable, accepted.internal_problems], ['AC', true, []]);
  const wrong = await gradeSubmission({ graderDir: dir, submission: join(dir, 'submissions', 'wrong.go') });
  assert.equal(wrong.tests.map((t) => [t.verdict, t.output]), [['AC', ''], ['WA', 'not the sum\n']]);
});

test.run();
