// Attacks through the build, each kept as a fixture in fixtures/attacks/: student code that a
// toolchain would run during the build, and what a build leaves in /box (links that lead out of it,
// sparse files, deep folders). Each is graded through the real pipeline; the links lead into a
// canary folder, which must be left exactly as it was.
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { fromPackageRoot } from '../../services/common/package-root.js';
import { gradeSubmission, type GradeResult } from '../../services/grading/grade.js';
import { makeCanary, type Canary } from '../support/canary.js';
import { removeTempDirs, tempDir } from '../support/helpers.js';

test.after(removeTempDirs);

const ATTACKS = fromPackageRoot('test', 'grading', 'fixtures', 'attacks');

/** The attack's submission in a temp folder, with `target` naming where its links are to lead. */
function submissionOf(attack: string, canary: Canary): string {
  const dir = tempDir();
  cpSync(join(ATTACKS, attack, 'submission'), dir, { recursive: true });
  writeFileSync(join(dir, 'target'), `${canary.dir}\n`);
  return dir;
}

function summary(result: GradeResult): string {
  return JSON.stringify(result.tests.map((t) => [t.name, t.verdict, t.output])) + result.output + result.internal_problems.join('\n');
}

const LINK_ATTACKS: Record<string, string> = {
  'build-leaves-links': 'the grader\'s build command',
  'py-compile-shadow': 'a submitted py_compile.py, under python3 -m py_compile',
  'javac-processor': 'a submitted annotation processor, under javac',
};

for (const [attack, how] of Object.entries(LINK_ATTACKS)) {
  test(`${attack}: links left in /box by ${how} lead nowhere; the grader's files arrive`, async () => {
    const canary = makeCanary();
    const submission = submissionOf(attack, canary);
    if (attack === 'javac-processor') execFileSync('javac', ['-d', submission, join(submission, 'processor', 'Planter.java')]);
    const result = await gradeSubmission({ graderDir: join(ATTACKS, attack), submission });
    canary.assertUntouched();
    assert.is(result.verdict, 'AC', summary(result));
    assert.is(result.gradable, true);
  });
}

test('sparse-build: four sparse 64 MiB files from the build reach a test\'s 64 MiB /box whole', async () => {
  const canary = makeCanary();
  const result = await gradeSubmission({ graderDir: join(ATTACKS, 'sparse-build'), submission: submissionOf('sparse-build', canary) });
  assert.is(result.verdict, 'AC', summary(result));
});

test('deep-build: folders nested deeper than 64 left by the build are a compile error, not an internal one', async () => {
  const canary = makeCanary();
  const result = await gradeSubmission({ graderDir: join(ATTACKS, 'deep-build'), submission: submissionOf('deep-build', canary) });
  assert.is(result.verdict, 'CE', summary(result));
  assert.is(result.gradable, true);
  assert.match(result.output, /^Compile error:\n\/box holds folders nested deeper than 64/);
});

test('a submission nesting folders deeper than 64 is a compile error, not an internal one', async () => {
  const submission = tempDir();
  copyFileSync(fromPackageRoot('graders', 'sum-c', 'submissions', 'accepted.c'), join(submission, 'main.c'));
  const deepest = join(submission, ...Array.from({ length: 70 }, () => 'd'));
  mkdirSync(deepest, { recursive: true });
  writeFileSync(join(deepest, 'notes.txt'), 'deep\n');
  const result = await gradeSubmission({ graderDir: fromPackageRoot('graders', 'sum-c'), submission });
  assert.is(result.verdict, 'CE', summary(result));
  assert.is(result.gradable, true);
  assert.match(result.output, /^Compile error:\nthe submission nests folders deeper than 64/);
});

test.run();
