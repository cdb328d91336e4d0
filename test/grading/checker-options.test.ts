// The checker options that the Kattis default output validator's flags map onto: case (in)sensitive
// tokens, whitespace that must match (space_change_sensitive), and absolute or relative tolerances.
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { compareOutput, type CheckOptions, type CheckerName } from '../../services/grading/checkers.js';

const ok = (checker: CheckerName, expected: string, actual: string, options: CheckOptions): boolean =>
  compareOutput(checker, expected, actual, options).ok;

test('case_sensitive false: ASCII letters match whatever their case, other letters stay exact', () => {
  assert.ok(ok('tokens', 'Yes 3\n', 'YES 3\n', { caseSensitive: false }));
  assert.not.ok(ok('tokens', 'Yes 3\n', 'YES 3\n', {}));
  assert.not.ok(ok('tokens', 'é\n', 'É\n', { caseSensitive: false }));
  assert.ok(ok('lines', 'Hello World\n', 'hello world\n', { caseSensitive: false }));
  assert.ok(ok('float', 'Impossible\n', 'IMPOSSIBLE\n', { caseSensitive: false }));
  // The student's own spelling stays in the feedback.
  assert.match(compareOutput('tokens', 'yes\n', 'Nope\n', { caseSensitive: false }).feedback, /got "Nope"/);
});

test('space_change_sensitive: the whitespace between, before and after tokens must match', () => {
  const spaces = { spaceChangeSensitive: true };
  assert.ok(ok('tokens', '1 2\n3\n', '1 2\n3\n', spaces));
  assert.ok(ok('tokens', '1 2\n', '1  2\n', {}));
  assert.not.ok(ok('tokens', '1 2\n', '1  2\n', spaces));
  assert.not.ok(ok('tokens', '1 2\n', '1\t2\n', spaces));
  assert.not.ok(ok('tokens', '1 2\n', '1 2', spaces)); // the trailing newline is whitespace too
  assert.not.ok(ok('tokens', '1 2\n', ' 1 2\n', spaces));
  assert.match(compareOutput('tokens', '1 2\n', '1  2\n', spaces).feedback, /whitespace before token 2 \(line 1\) differs: expected " ", got "  "/);
  assert.match(compareOutput('tokens', '1 2\n', '1 2', spaces).feedback, /whitespace at the end/);
  // A missing token is still told as such, not as a whitespace difference.
  assert.match(compareOutput('tokens', '1 2\n', '1\n', spaces).feedback, /output ends early after 1 token/);
  assert.ok(ok('float', '0.5 1\n', '0.5000001 1\n', { ...spaces, tolerance: 1e-6 }));
});

test('float: an absolute or a relative tolerance alone, or either of the two', () => {
  const absolute = { tolerance: { absolute: 0.01, relative: null } };
  const relative = { tolerance: { absolute: null, relative: 0.01 } };
  assert.ok(ok('float', '1000\n', '1000.009\n', absolute));
  assert.not.ok(ok('float', '1000\n', '1005\n', absolute));
  assert.ok(ok('float', '1000\n', '1005\n', relative)); // 0.5 % of 1000
  assert.not.ok(ok('float', '0.001\n', '0.002\n', relative));
  assert.ok(ok('float', '0.001\n', '0.002\n', absolute));
  const either = { tolerance: { absolute: 0.01, relative: 0.01 } };
  assert.ok(ok('float', '1000\n', '1005\n', either));
  assert.ok(ok('float', '0.001\n', '0.002\n', either));
  assert.match(compareOutput('float', '1\n', '2\n', absolute).feedback, /tolerance 0\.01 absolute\)/);
});

test('float: a bad tolerance of either kind is the grader\'s error', () => {
  assert.throws(() => compareOutput('float', '1\n', '1\n', { tolerance: { absolute: -1, relative: null } }), /tolerance -1/);
  assert.throws(() => compareOutput('float', '1\n', '1\n', { tolerance: { absolute: null, relative: NaN } }), /tolerance NaN/);
});

test.run();
