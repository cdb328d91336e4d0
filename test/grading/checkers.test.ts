// The output checkers (services/grading/checkers.ts): what each accepts and rejects, the feedback a student sees, and
// speed on large outputs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { compareOutput, type CheckerName } from '../../services/grading/checkers.js';

const accepts = (checker: CheckerName, expected: string, actual: string, tolerance?: number): void =>
  assert.ok(compareOutput(checker, expected, actual, { tolerance }).ok, `${checker} should accept ${JSON.stringify(actual)}`);
const rejects = (checker: CheckerName, expected: string, actual: string, tolerance?: number): void =>
  assert.not.ok(compareOutput(checker, expected, actual, { tolerance }).ok, `${checker} should reject ${JSON.stringify(actual)}`);
const feedback = (checker: CheckerName, expected: string, actual: string, tolerance?: number): string =>
  compareOutput(checker, expected, actual, { tolerance }).feedback;

const EXPECTED = '1 2\n3 4\n';
// Presentation-only differences from EXPECTED: `lines` accepts the first group, `tokens` all.
const LINE_PRESENTATION = {
  'trailing spaces': '1 2  \n3 4\t\n',
  'no final newline': '1 2\n3 4',
  'CRLF line ends': '1 2\r\n3 4\r\n',
  'extra blank lines at the end': '1 2\n3 4\n\n\n',
  'whitespace-only lines at the end': '1 2\n3 4\n  \n\t\n',
};
const TOKEN_PRESENTATION = {
  ...LINE_PRESENTATION,
  'different inner whitespace': '1   2\n3\t4\n',
  'different line breaks': '1\n2\n3\n4\n',
  'leading blank lines': '\n\n1 2\n3 4\n',
};

test('presentation-only differences: exact rejects, lines and tokens accept', () => {
  for (const [what, actual] of Object.entries(LINE_PRESENTATION)) {
    rejects('exact', EXPECTED, actual);
    assert.ok(compareOutput('lines', EXPECTED, actual).ok, `lines: ${what}`);
  }
  for (const [what, actual] of Object.entries(TOKEN_PRESENTATION)) {
    rejects('exact', EXPECTED, actual);
    assert.ok(compareOutput('tokens', EXPECTED, actual).ok, `tokens: ${what}`);
    assert.ok(compareOutput('float', EXPECTED, actual).ok, `float: ${what}`);
  }
});

test('every checker accepts identical output, including empty output', () => {
  for (const checker of ['exact', 'lines', 'tokens', 'float'] as const) {
    accepts(checker, EXPECTED, EXPECTED);
    accepts(checker, '', '');
  }
  assert.is(feedback('lines', 'a\n', 'a'), 'output matches');
});

test('exact: byte for byte', () => {
  rejects('exact', 'a\n', 'a');
  rejects('exact', 'a\n', 'a\n\n');
  rejects('exact', 'a b\n', 'a  b\n');
  rejects('exact', 'café\n', 'cafe\n');
});

test('lines: inner whitespace, leading blank lines and wrong lines still count', () => {
  rejects('lines', EXPECTED, '1  2\n3 4\n');
  rejects('lines', EXPECTED, ' 1 2\n3 4\n');
  rejects('lines', EXPECTED, '\n1 2\n3 4\n');
  rejects('lines', EXPECTED, '1 2\n\n3 4\n');
  rejects('lines', EXPECTED, '1 2 3 4\n');
  rejects('lines', EXPECTED, '1 2\n3 5\n');
  rejects('lines', EXPECTED, '1 2\n');
  rejects('lines', EXPECTED, '1 2\n3 4\n5\n');
  // Only ASCII whitespace is presentation: a no-break space is part of the answer.
  rejects('lines', 'a\n', 'a\u00a0\n');
  // A lone "\r" inside a line is not a line end.
  rejects('lines', 'a b\n', 'a\rb\n');
});

test('tokens: the same whitespace-separated tokens', () => {
  accepts('tokens', '  yes ', 'yes');
  rejects('tokens', EXPECTED, '1 2 3\n');
  rejects('tokens', EXPECTED, '1 2 3 4 5\n');
  rejects('tokens', EXPECTED, '12 3 4\n');
  rejects('tokens', 'YES\n', 'yes\n');
  // Numbers are words here: only `float` compares them as numbers.
  rejects('tokens', '1.0\n', '1\n');
});

test('float: numbers within tolerance, absolute or relative', () => {
  accepts('float', '3.1415926\n', '3.1415930\n'); // default 1e-6, absolute
  rejects('float', '3.1415926\n', '3.1416\n');
  accepts('float', '1.0 2\n', '1 2.0000000\n');
  accepts('float', '0.5\n', '0.51\n', 0.01); // exactly at the tolerance, despite binary rounding
  rejects('float', '0.5\n', '0.52\n', 0.01);
  accepts('float', '100\n', '99.995\n', 1e-2);
  accepts('float', '0\n', '-0\n', 0);
  // Relative: 1e12 with 1e-6 allows 1e6; absolute alone would not.
  accepts('float', '1000000000000\n', '1000000500000\n');
  accepts('float', '1e12\n', '1.0000009e12\n');
  rejects('float', '1e12\n', '1.000002e12\n');
  // Relative to the expected value only: a huge wrong answer is not forgiven.
  rejects('float', '1\n', '1000000\n');
});

test('float: what counts as a number', () => {
  accepts('float', '100000\n', '1e5\n');
  accepts('float', '-0.5\n', '-.5000000001\n');
  accepts('float', '+2.\n', '2\n');
  accepts('float', '2.5E-3\n', '0.0025\n');
  rejects('float', '16\n', '0x10\n'); // hex is a word, compared exactly
  accepts('float', '0x10\n', '0x10\n');
  rejects('float', '1_000\n', '1000\n');
  rejects('float', '1.5\n', '1,5\n');
});

test('float: nan and inf', () => {
  accepts('float', 'nan\n', 'NaN\n');
  accepts('float', '-nan\n', 'nan\n');
  accepts('float', 'inf\n', 'Infinity\n');
  accepts('float', '-inf\n', '-INF\n');
  rejects('float', 'inf\n', '-inf\n');
  rejects('float', 'inf\n', '1e308\n');
  rejects('float', 'nan\n', '0\n');
  rejects('float', '0\n', 'nan\n');
});

test('float: non-numeric tokens must match exactly', () => {
  accepts('float', 'Case #1: 0.333333\n', 'Case #1: 0.3333333\n');
  rejects('float', 'Case #1: 0.333333\n', 'case #1: 0.333333\n');
  rejects('float', 'YES 1.0\n', 'yes 1.0\n');
  rejects('float', '1.0\n', 'one\n');
  rejects('float', 'one\n', '1.0\n');
});

test('float: a bad tolerance is the grader\'s error', () => {
  for (const tolerance of [-1, NaN, Infinity]) {
    assert.throws(() => compareOutput('float', '1', '1', { tolerance }), (e: Error & { code?: string }) => e.code === 'E_GRADER_TOLERANCE');
  }
  assert.throws(() => compareOutput('custom' as CheckerName, '1', '1'), (e: Error & { code?: string }) => e.code === 'E_GRADER_CHECKER');
});

test('feedback: exact names the line and shows the newline', () => {
  assert.is(feedback('exact', 'a\nb\nc\n', 'a\nb\nd\n'), 'line 3: expected "c\\n", got "d\\n"');
  assert.is(feedback('exact', 'a\nb\n', 'a\r\nb\r\n'), 'line 1: expected "a\\n", got "a\\r\\n"');
  assert.is(feedback('exact', 'a\nb\n', 'a\nb'), 'line 2: expected "b\\n", got "b"');
  assert.is(feedback('exact', 'a\nb\n', 'a\n'), 'output ends early at line 2: expected "b\\n"');
  assert.is(feedback('exact', 'a\n', 'a\nb\n'), 'extra output after line 1: "b\\n"');
  assert.is(feedback('exact', '', 'x'), 'expected no output, got "x"');
  assert.is(feedback('exact', 'x\n', ''), 'output ends early at line 1: expected "x\\n"');
});

test('feedback: lines names the line', () => {
  assert.is(feedback('lines', '1\n2\n4\n', '1\n2\n5\n'), 'line 3: expected "4", got "5"');
  assert.is(feedback('lines', '1\n2\n', '1\n'), 'output ends early at line 2: expected "2"');
  assert.is(feedback('lines', '1\n\n\n4\n', '1\n'), 'output ends early at line 2: expected "4" on line 4');
  assert.is(feedback('lines', '1\n', '1\n\n3\n'), 'extra output after line 1: "3" on line 3');
  assert.is(feedback('lines', '\n', 'x\n'), 'expected no output, got "x"');
});

test('feedback: tokens and float name the token and its line', () => {
  assert.is(feedback('tokens', '1 2\n3 4\n', '1 2\n3 5\n'), 'token 4 (line 2): expected "4", got "5"');
  assert.is(feedback('tokens', '1 2 3\n', '1 2\n'), 'output ends early after 2 tokens: expected "3" next');
  assert.is(feedback('tokens', '1\n', '1\n\n2\n'), 'extra output after 1 token: "2" (line 3)');
  assert.is(feedback('tokens', 'x\n', ''), 'output ends early after 0 tokens: expected "x" next');
  assert.is(feedback('float', '0.5\n', '0.6\n', 0.01), 'token 1 (line 1): expected "0.5", got "0.6" (off by 0.1, tolerance 0.01)');
  assert.is(feedback('float', 'inf\n', '-inf\n'), 'token 1 (line 1): expected "inf", got "-inf"');
});

test('feedback: values capped near the difference, control characters escaped', () => {
  const long = 'x'.repeat(5000);
  const text = feedback('lines', `${long}A${long}\n`, `${long}B${long}\n`);
  assert.ok(text.length < 250, text);
  assert.match(text, /^line 1: expected …"x+Ax+"…, got …"x+Bx+"…$/);
  assert.is(feedback('tokens', 'a', 'a\u0000\u001b[31m'), 'token 1 (line 1): expected "a", got "a\\u0000\\u001b[31m"');
  // Bidi overrides and DEL would reorder or hide text in the student's view.
  assert.is(feedback('tokens', 'ab', 'a\u202eb\u007f'), 'token 1 (line 1): expected "ab", got "a\\u202eb\\u007f"');
});

test('checkers take time linear in the output: 10 MB costs about ten times 1 MB, not a hundred', () => {
  const text = (count: number, sep = '\n'): string => {
    const lines: string[] = [];
    for (let i = 0; i < count; i++) lines.push(`${i} ${(i / 7).toFixed(6)}`);
    return `${lines.join(sep)}${sep}`;
  };
  const big = { expected: text(1_000_000), actual: text(1_000_000, '  \r\n') };
  const small = { expected: text(100_000), actual: text(100_000, '  \r\n') };
  assert.ok(big.expected.length > 10_000_000);
  const wrongAtEnd = `${big.expected.slice(0, big.expected.lastIndexOf('\n', big.expected.length - 2))}\n999999 wrong\n`;
  // CPU time of this thread (not wall time): other load on the machine does not count.
  const cpuMs = (run: () => void): number => {
    const before = process.cpuUsage();
    run();
    const used = process.cpuUsage(before);
    return (used.user + used.system) / 1000;
  };
  for (const checker of ['exact', 'lines', 'tokens', 'float'] as const) {
    assert.ok(compareOutput(checker, big.expected, big.expected).ok, checker);
    assert.is(compareOutput(checker, big.expected, big.actual).ok, checker !== 'exact', checker);
    assert.not.ok(compareOutput(checker, big.expected, wrongAtEnd).ok, checker);
    const smallMs = Math.max(1, cpuMs(() => compareOutput(checker, small.expected, small.actual)));
    const bigMs = cpuMs(() => compareOutput(checker, big.expected, big.actual));
    assert.ok(bigMs < 30 * smallMs, `${checker}: 10 MB took ${bigMs.toFixed(0)} ms of CPU, 1 MB ${smallMs.toFixed(0)} ms: not linear`);
  }
});

test.run();
