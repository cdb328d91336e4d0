// Reading a harness's results.json as untrusted data: no links followed anywhere on the path, only a
// regular file of bounded size, Gradescope's schema, and normalized tests (names, scores, caps).
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { UserError } from '../../services/common/errors.js';
import { readHarnessResults } from '../../services/grading/harness-results.js';
import { removeTempDirs, tempDir } from '../support/helpers.js';

test.after(removeTempDirs);

/** A box folder holding results.json with `content` (an object is written as JSON). */
function boxWith(content: unknown): string {
  const box = tempDir();
  writeFileSync(join(box, 'results.json'), typeof content === 'string' || Buffer.isBuffer(content) ? content : JSON.stringify(content));
  return box;
}

/** Reading must fail with E_HARNESS_RESULTS, naming the file and matching `pattern`. */
function rejects(box: string, pattern: RegExp, resultsPath = 'results.json'): void {
  try {
    readHarnessResults(box, resultsPath);
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    assert.is(error.code, 'E_HARNESS_RESULTS', error.message);
    assert.ok(error.message.startsWith(`${resultsPath}: `), error.message);
    assert.match(error.message, pattern);
    return;
  }
  assert.unreachable(`${resultsPath} was accepted; expected an error matching ${pattern}`);
}

test('a Gradescope results.json: tests normalized, unknown keys ignored, top-level visibility as the default', () => {
  const box = boxWith({
    score: 99, output: 'Well done', visibility: 'after_due_date', execution_time: 3, extra_data: { a: [1, 2] },
    tests: [
      { name: 'adds', score: 2, max_score: 2, status: 'passed', output: '', visibility: 'visible', number: '1.1', tags: ['easy'] },
      { name: 'subtracts', score: 0, max_score: 1, output: 'expected 3, got 4' },
      { number: 7, status: 'passed' },
      { status: 'failed', extra_data: {} },
    ],
  });
  const report = readHarnessResults(box, 'results.json');
  assert.is(report.output, 'Well done');
  assert.equal(report.tests, [
    { name: 'adds', score: 2, max_score: 2, status: 'passed', output: '', visibility: 'visible' },
    { name: 'subtracts', score: 0, max_score: 1, status: 'failed', output: 'expected 3, got 4', visibility: 'after_due_date' },
    { name: 'test 7', score: 1, max_score: 1, status: 'passed', output: '', visibility: 'after_due_date' },
    { name: 'test 4', score: 0, max_score: 1, status: 'failed', output: '', visibility: 'after_due_date' },
  ]);
});

test('scores: status derived from the score, a score above max_score clamped, max_score 1 when absent', () => {
  const report = readHarnessResults(boxWith({ tests: [
    { name: 'full', score: 3, max_score: 3 },
    { name: 'partial', score: 1.5, max_score: 3 },
    { name: 'bonus', score: 10, max_score: 2, status: 'passed' },
    { name: 'claims 5', score: 5 },
    { name: 'partial credit but failed', score: 0.5, max_score: 1, status: 'failed' },
  ] }), 'results.json');
  assert.equal(report.tests.map((t) => [t.name, t.score, t.max_score, t.status]), [
    ['full', 3, 3, 'passed'],
    ['partial', 1.5, 3, 'failed'],
    ['bonus', 2, 2, 'passed'],
    ['claims 5', 1, 1, 'passed'],
    ['partial credit but failed', 0.5, 1, 'failed'],
  ]);
});

test('names are one line and capped, output is capped, control characters dropped', () => {
  const report = readHarnessResults(boxWith({ output: 'x'.repeat(20_000), tests: [
    { name: `  line one\nline\u0007two${'n'.repeat(500)}`, score: 0, max_score: 1, output: `a\u0000b\tc\nd${'o'.repeat(10_000)}` },
    { name: ' \n ', score: 1, max_score: 1 },
  ] }), 'results.json');
  const [first, second] = report.tests;
  assert.ok(first && second);
  assert.ok(first.name.startsWith('line one line two'), first.name);
  assert.is(first.name.length, 200);
  assert.ok(first.output.startsWith('ab\tc\nd'), first.output.slice(0, 10));
  assert.ok(first.output.length < 8192 + 100 && first.output.endsWith('[… cut at 8192 characters]'));
  assert.is(second.name, 'test 2');
  assert.ok(report.output.length < 8192 + 100);
});

test('a results file in a subfolder is read', () => {
  const box = tempDir();
  mkdirSync(join(box, 'out', 'deep'), { recursive: true });
  writeFileSync(join(box, 'out', 'deep', 'r.json'), JSON.stringify({ tests: [{ name: 'a', status: 'passed' }] }));
  assert.is(readHarnessResults(box, 'out/deep/r.json').tests[0]?.name, 'a');
});

test('missing file, and paths that leave the box, are refused', () => {
  rejects(tempDir(), /missing; the harness wrote no results/);
  rejects(tempDir(), /not a path inside \/box/, '../results.json');
  rejects(tempDir(), /not a path inside \/box/, '/etc/passwd');
});

test('no link is followed: the file, a folder on the way, and a link to a real results file', () => {
  const outside = boxWith({ tests: [{ name: 'forged', score: 1, max_score: 1 }] });
  const fileLink = tempDir();
  symlinkSync(join(outside, 'results.json'), join(fileLink, 'results.json'));
  rejects(fileLink, /is a symbolic link/);
  const folderLink = tempDir();
  symlinkSync(outside, join(folderLink, 'out'));
  rejects(folderLink, /folder out is a symbolic link/, 'out/results.json');
  const notFolder = boxWith('{}');
  rejects(notFolder, /results.json is not a folder/, 'results.json/x.json');
});

test('only a regular file: a folder or a FIFO at the results path is refused (and a FIFO does not hang)', () => {
  const folder = tempDir();
  mkdirSync(join(folder, 'results.json'));
  rejects(folder, /not a regular file/);
  const fifo = tempDir();
  execFileSync('mkfifo', [join(fifo, 'results.json')]);
  rejects(fifo, /not a regular file/);
});

test('size is capped', () => {
  const big = boxWith(JSON.stringify({ tests: [{ name: 'a', status: 'passed', output: 'x'.repeat(1024 * 1024) }] }));
  rejects(big, /larger than 1048576 bytes/);
  const report = readHarnessResults(big, 'results.json', { maxBytes: 2 * 1024 * 1024 });
  assert.is(report.tests.length, 1);
});

test('not UTF-8, not JSON, and the wrong shape are refused with the field named', () => {
  rejects(boxWith(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), /not UTF-8/);
  rejects(boxWith('{"tests": ['), /not JSON/);
  rejects(boxWith(''), /not JSON/);
  rejects(boxWith('[1, 2]'), /field \(top level\): expected a JSON object/);
  rejects(boxWith({ score: 1 }), /field tests: expected a list of tests/);
  rejects(boxWith({ tests: [] }), /field tests: no tests/);
  rejects(boxWith({ tests: ['a'] }), /field tests\[0\]: expected an object/);
  rejects(boxWith({ tests: [{ name: 'a', score: -1, max_score: 1 }] }), /field tests\[0\]\.score: expected a finite number >= 0/);
  rejects(boxWith('{"tests": [{"name": "a", "score": 1e999, "max_score": 1}]}'), /field tests\[0\]\.score: expected a finite number/);
  rejects(boxWith({ tests: [{ name: 'a', score: '1', max_score: 1 }] }), /field tests\[0\]\.score/);
  rejects(boxWith({ tests: [{ name: 'a', status: 'ok' }] }), /field tests\[0\]\.status: expected passed or failed/);
  rejects(boxWith({ tests: [{ name: 'a', status: 'passed', visibility: 'secret' }] }), /field tests\[0\]\.visibility: expected one of visible, hidden/);
  rejects(boxWith({ tests: [{ name: 5, status: 'passed' }] }), /field tests\[0\]\.name: expected a string/);
  rejects(boxWith({ tests: [{ name: 'a' }] }), /field tests\[0\]: needs "score" or "status"/);
  rejects(boxWith({ tests: [{ name: 'a', status: 'passed', output: ['x'] }] }), /field tests\[0\]\.output: expected a string/);
  rejects(boxWith({ output: 3, tests: [{ status: 'passed' }] }), /field output: expected a string/);
});

test('the number of tests is capped (an error, not a silent cut)', () => {
  const tests = Array.from({ length: 1001 }, (_, i) => ({ name: `t${i}`, status: 'passed' }));
  rejects(boxWith({ tests }), /field tests: more than 1000 tests/);
  assert.is(readHarnessResults(boxWith({ tests: tests.slice(0, 1000) }), 'results.json').tests.length, 1000);
});

test.run();
