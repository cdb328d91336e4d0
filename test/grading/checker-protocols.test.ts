// Custom checkers speaking testlib's exit codes or the Kattis output validator's, through the real
// pipeline: a checker folder built once (C), testlib's OK/WA/PE/FAIL/points each reaching the
// result as the verdict and score it stands for; a Kattis validator's feedback files read back
// without following a link it planted.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { gradeSubmission } from '../../services/grading/grade.js';
import { removeTempDirs, tempDir } from '../support/helpers.js';

test.after.each(removeTempDirs);

// testlib.h's exit codes (OK 0, WA 1, PE 2, FAIL 3, POINTS 7) and its messages on stderr, as a
// checker built with testlib writes them (quitp: "points 0.5 ..."); written out here because
// testlib.h is not installed on the test host. The student's output says what to answer.
const TESTLIB_CHECKER = String.raw`#include <stdio.h>
#include <string.h>
int main(int argc, char **argv) {
    char out[64] = "", ans[64] = "";
    FILE *o = fopen(argv[2], "r"), *a = fopen(argv[3], "r");
    if (!o || !a || fscanf(a, "%63s", ans) != 1) { fputs("FAIL cannot read the files\n", stderr); return 3; }
    if (fscanf(o, "%63s", out) != 1) { fputs("wrong output format Unexpected end of file\n", stderr); return 2; }
    if (strcmp(out, ans) == 0) { fputs("ok 1 number\n", stderr); return 0; }
    if (strcmp(out, "half") == 0) { fputs("points 0.5 half of the pairs\n", stderr); return 7; }
    if (strcmp(out, "broken") == 0) { fputs("FAIL the answer file is wrong\n", stderr); return 3; }
    fprintf(stderr, "wrong answer expected %s, found %s\n", ans, out);
    return 1;
}
`;

/** A grader whose tests' inputs are what an echoing submission prints, each test worth 2 points. */
function graderWith(checker: Record<string, string>, protocol: string, cases: Record<string, [string, string]>): string {
  const dir = tempDir('gradebox-protocol-');
  mkdirSync(join(dir, 'checker'));
  for (const [name, text] of Object.entries(checker)) writeFileSync(join(dir, 'checker', name), text);
  const tests = Object.entries(cases).map(([name, [input, answer]]) => {
    writeFileSync(join(dir, `${name}.in`), input);
    writeFileSync(join(dir, `${name}.ans`), answer);
    return `  - { name: ${name}, stdin: ${name}.in, expect: ${name}.ans, checker: custom, points: 2 }`;
  });
  writeFileSync(join(dir, 'grader.yaml'), [
    'language: python',
    `custom_checker: { dir: checker, protocol: ${protocol} }`,
    'tests:', ...tests, '',
  ].join('\n'));
  writeFileSync(join(dir, 'echo.py'), 'import sys\nsys.stdout.write(sys.stdin.read())\n');
  return dir;
}

test('testlib exit codes: OK is AC, WA and PE are WA with the message, points give that share of the test, FAIL is IE', async () => {
  const dir = graderWith({ 'check.c': TESTLIB_CHECKER }, 'testlib', {
    ok: ['42\n', '42\n'], wrong: ['41\n', '42\n'], format: ['', '42\n'], half: ['half\n', '42\n'], fail: ['broken\n', '42\n'],
  });
  const result = await gradeSubmission({ graderDir: dir, submission: join(dir, 'echo.py') });
  assert.equal(result.tests.map((t) => [t.name, t.verdict, t.score, t.max_score]), [
    ['ok', 'AC', 2, 2], ['wrong', 'WA', 0, 2], ['format', 'WA', 0, 2], ['half', 'WA', 1, 2], ['fail', 'IE', 0, 2],
  ]);
  assert.is(result.tests[1]!.output, 'wrong answer expected 42, found 41\n');
  assert.is(result.tests[4]!.output, '', 'a checker\'s failure tells the student nothing');
  assert.is(result.gradable, false);
  assert.match(result.internal_problems.join('\n'), /testlib checker reported FAIL \(exit code 3\)/);
});

// A Kattis validator that plants links in its feedback folder to files it cannot read itself, hoping
// the grader (root) reads them back and shows them to the student.
const LINK_PLANTING_VALIDATOR = `import os, sys
feedback = sys.argv[3]
os.symlink('/etc/shadow', os.path.join(feedback, 'teammessage.txt'))
os.symlink('/etc/passwd', os.path.join(feedback, 'judgemessage.txt'))
sys.exit(43)
`;

test('kattis-feedback-links: a validator\'s links in its feedback folder are not followed; 42/43 decide', async () => {
  const planting = graderWith({ 'validate.py': LINK_PLANTING_VALIDATOR }, 'kattis', { one: ['1\n', '1\n'] });
  const result = await gradeSubmission({ graderDir: planting, submission: join(planting, 'echo.py') });
  assert.equal(result.tests.map((t) => [t.verdict, t.output]), [['WA', '']]);
  assert.not.match(JSON.stringify(result), /root:/);

  const fair = graderWith({ 'validate.py': 'import sys\nopen(sys.argv[3] + "teammessage.txt", "w").write("try 2")\nsys.exit(42 if sys.stdin.read().strip() == "2" else 43)\n' }, 'kattis', { two: ['2\n', ''], three: ['3\n', ''] });
  const judged = await gradeSubmission({ graderDir: fair, submission: join(fair, 'echo.py') });
  assert.equal(judged.tests.map((t) => [t.verdict, t.output]), [['AC', 'try 2'], ['WA', 'try 2']]);
});

test.run();
