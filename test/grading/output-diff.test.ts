// The staff's diff of a wrong answer: both outputs from a few lines before the first line that
// differs, that line's number, and each side capped however large the program's output.
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { DIFF_BYTES, outputDiff } from '../../services/grading/output-diff.js';

const numbered = (n: number, changed = -1) => Array.from({ length: n }, (_, i) => (i === changed ? 'X' : String(i + 1))).join('\n');

test('the first differing line, with three lines before it and twelve in all', () => {
  const diff = outputDiff(numbered(30), numbered(30, 9));
  assert.equal([diff.first_line, diff.from_line], [10, 7]);
  assert.is(diff.expected, ['7', '8', '9', '10', '11', '12', '13', '14', '15', '16', '17', '18'].join('\n'));
  assert.is(diff.actual.split('\n')[3], 'X');
});

test('a difference on the first line starts there; output that ends early or runs on shows the missing or extra lines', () => {
  assert.equal(outputDiff('6\n', '7\n'), { first_line: 1, from_line: 1, expected: '6\n', actual: '7\n' });
  const early = outputDiff('1\n2\n3\n', '1\n');
  assert.equal([early.first_line, early.expected, early.actual], [2, '1\n2\n3\n', '1\n']);
  const extra = outputDiff('1\n', '1\n2\n');
  assert.equal([extra.first_line, extra.actual], [2, '1\n2\n']);
});

test('each side is capped: a huge line or a huge output is cut with a note', () => {
  const diff = outputDiff('1\n', 'x'.repeat(10 * 1024 * 1024));
  assert.ok(diff.actual.length <= DIFF_BYTES + 40, `${diff.actual.length} characters`);
  assert.match(diff.actual, /\[… cut at 1024 bytes\]$/);
});

test.run();
