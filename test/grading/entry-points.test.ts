// Entry points through the real pipeline: the grader's entry wins over the submission's and over
// the main.* default, a submission without the grader's entry file is CE naming it, and an empty
// submission is CE (gradable, with a sentence as feedback) in every language, never an error.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { fromPackageRoot } from '../../services/common/package-root.js';
import { gradeSubmission } from '../../services/grading/grade.js';
import { LANGUAGES } from '../../services/grading/languages/registry.js';
import { loadGrader } from '../../services/grading/load-grader.js';
import { folderWith, removeTempDirs, tempDir } from '../support/helpers.js';

test.after.each(removeTempDirs);

/** A Python grader whose one test expects "hello", with the given entry file. */
function helloGrader(entry: string): string {
  const dir = folderWith({ 'grader.yaml': `language: python\nentry: ${entry}\ntests:\n  - { name: hello, expect: hello.out }\n`, 'hello.out': 'hello\n' });
  return dir;
}

const SUBMISSION = { 'main.py': 'print("main.py ran")\n', 'greet.py': 'print("hello")\n' };

test('the grader\'s entry wins over the main.py default and over the entry the submission names', async () => {
  const graderDir = helloGrader('greet.py');
  const submission = folderWith(SUBMISSION);
  for (const entry of [undefined, 'main.py']) {
    const result = await gradeSubmission({ graderDir, submission, entry });
    assert.equal([result.verdict, result.score, result.provenance.entry], ['AC', 1, entry ?? null], `submitted with entry ${entry}`);
  }
});

test('a submission without the grader\'s entry file is CE, and is told which file', async () => {
  const result = await gradeSubmission({ graderDir: helloGrader('solve.py'), submission: folderWith(SUBMISSION) });
  assert.equal([result.verdict, result.gradable], ['CE', true]);
  assert.is(result.output, 'Compile error:\nThe entry file solve.py is not in the submission, at its top level: name one of greet.py and main.py.');
});

test('an empty submission is CE in every language, gradable, with a sentence for the student', async () => {
  const examples: Record<string, string> = { c: 'sum-c', cpp: 'sum-cpp', python: 'mean-python', java: 'sum-java', javascript: 'sum-js', go: 'sum-go' };
  assert.equal(Object.keys(examples).sort(), [...LANGUAGES].sort());
  const empty = tempDir();
  for (const [language, grader] of Object.entries(examples)) {
    const graderDir = fromPackageRoot('graders', grader);
    assert.is(loadGrader(graderDir).language, language);
    const result = await gradeSubmission({ graderDir, submission: empty });
    assert.equal([result.verdict, result.gradable, result.score], ['CE', true, 0], language);
    assert.is(result.output, 'Compile error:\nThe submission is empty: it has no file. Submit your program\'s source files.', language);
    assert.is(result.provenance.build_policy, null, `${language}: nothing was built`);
  }
});

test('a folder with only folders in it names them: source files go at the top', async () => {
  const submission = tempDir();
  mkdirSync(join(submission, 'project'));
  writeFileSync(join(submission, 'project', 'main.py'), 'print("hello")\n');
  const result = await gradeSubmission({ graderDir: helloGrader('main.py'), submission });
  assert.is(result.output, 'Compile error:\nThis assignment is graded as python, but the submission has no .py file: it has project/ (a folder: source files go at the top of the submission). Submit your program as .py source files.');
});

test.run();
