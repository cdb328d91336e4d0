// `gradebox import kattis` then `gradebox grader test` on the three example packages (float
// tolerance, custom output validator, interactive): every program under submissions/ gets the
// verdict its folder names. A package whose submissions/ disagree makes the self-test exit 3
// naming each program that disagrees, and only those. A package without a time limit is timed.
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { DISAGREES_EXIT_CODE, graderCommand } from '../../services/cli/grader-command.js';
import { importCommand } from '../../services/cli/import-command.js';
import { UserError } from '../../services/common/errors.js';
import { fromPackageRoot } from '../../services/common/package-root.js';
import { loadGrader } from '../../services/grading/load-grader.js';
import { selfTestGrader } from '../../services/grading/self-test.js';
import { callCommand, folderWith, rejectionOf, removeTempDirs, tempDir } from '../support/helpers.js';

test.after.each(removeTempDirs);

async function imported(packageDir: string): Promise<string> {
  const out = join(tempDir('gradebox-kattis-'), 'grader');
  const done = await callCommand(importCommand, ['kattis', packageDir, '--out', out]);
  assert.is(done.code, 0, done.out);
  return out;
}

/** Programs per example, each folder's programs by name: what the self-test must have graded. */
const EXAMPLES: Record<string, number> = { 'circle-area': 9, 'factor-pair': 7, 'guess-number': 12 };

for (const [name, programs] of Object.entries(EXAMPLES)) {
  test(`graders/kattis/${name}: imported, and every program under submissions/ gets its folder's verdict`, async () => {
    const grader = await imported(fromPackageRoot('graders', 'kattis', name));
    const { code, out } = await callCommand(graderCommand, ['test', grader]);
    assert.is(code, 0, out);
    assert.match(out, new RegExp(`self-test passed: ${programs} programs got their verdicts`));
    assert.is(out.split('\n').filter((line) => line.startsWith('ok ')).length, programs, out);
  });
}

test('submissions that disagree with their folders: exit 3, each one named, the agreeing one not', async () => {
  const grader = await imported(fromPackageRoot('test', 'grading', 'fixtures', 'kattis', 'disagreeing-submissions'));
  const { code, out } = await callCommand(graderCommand, ['test', grader]);
  assert.is(code, DISAGREES_EXIT_CODE, out);
  assert.match(out, /^FAIL accepted\/triples\.py +WA .*\(expected AC\)/m);
  assert.match(out, /^FAIL wrong_answer\/doubles\.py +AC .*\(expected WA\)/m);
  assert.match(out, /^ok +accepted\/doubles\.py +AC/m);
  assert.match(out, /self-test failed: 2 of 3 programs did not get their verdict: accepted\/triples\.py, wrong_answer\/doubles\.py\n$/);

  // The library call the staff API makes says the same.
  const report = await selfTestGrader(grader);
  assert.is(report.passed, false);
  assert.equal(report.outcomes.filter((o) => !o.agrees).map((o) => o.program.name), ['accepted/triples.py', 'wrong_answer/doubles.py']);
});

test('a package that declares no time limit is timed: its slowest accepted submission × time_multiplier; a wrong accepted one stops the import', async () => {
  const pkg = join(tempDir('gradebox-kattis-'), 'double-it');
  cpSync(fromPackageRoot('test', 'grading', 'fixtures', 'kattis', 'disagreeing-submissions'), pkg, { recursive: true });
  rmSync(join(pkg, '.timelimit'));
  const refused = await rejectionOf(callCommand(importCommand, ['kattis', pkg, '--out', join(tempDir(), 'grader')]), 'timing a wrong accepted submission');
  assert.ok(refused instanceof UserError && refused.code === 'E_KATTIS_NO_TIME_LIMIT', String(refused));
  assert.match(refused.message, /accepted\/triples\.py got WA, not AC/);

  rmSync(join(pkg, 'submissions', 'accepted', 'triples.py'));
  const out = join(tempDir(), 'grader');
  const { code, out: printed } = await callCommand(importCommand, ['kattis', pkg, '--out', out]);
  assert.is(code, 0, printed);
  // A Python one-liner takes well under 0.2 s: × 5 (legacy default), rounded, at least 1 s.
  assert.match(printed, /, 1 s \(the slowest accepted submission \(0\.\d+ s\) × time_multiplier 5\)/);
  assert.ok(loadGrader(out).tests.every((t) => t.limits.cpuMs === 1000));
});

test('a grader without self-test programs is refused with how to add them', async () => {
  const grader = folderWith({ 'grader.yaml': 'language: python\ntests:\n  - { name: one, stdin: one.in, expect: one.out }\n', 'one.in': '', 'one.out': '\n' });
  const error = await rejectionOf(selfTestGrader(grader), 'a self-test with no programs');
  assert.ok(error instanceof UserError && error.code === 'E_SELF_TEST_EMPTY', String(error));
});

test.run();
