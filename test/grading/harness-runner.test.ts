// The Python harness runner (run_tests.py) through the real pipeline: one test per assert, partial
// credit, a time limit per test, crashes and exits confined to one test, short output for students,
// and a submission that tries to forge its result (its own results.json, a forged report, an early
// exit, an object equal to everything, a patched runner, printed markers) does not get the marks.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { gradeSubmission, type GradeResult } from '../../services/grading/grade.js';
import { RUNNER_SOURCE } from '../../services/grading/datasets/harness-grader-folder.js';
import { fromPackageRoot } from '../../services/common/package-root.js';
import { removeTempDirs, tempDir } from '../support/helpers.js';

test.after(removeTempDirs);

const ADD_TESTS = `
# Set-up statements are replayed before every later test.
offset = 1
assert True, "a constant assert is no test"
assert add(1, 2) == 3
assert add(-1, 1) == 0
assert add(2, offset) == 3
`;

/** A harness-mode grader folder around run_tests.py with the given tests file and runner flags. */
function grader(tests: string, runnerArgs: string[] = [], limits = '{ cpu_ms: 20000, wall_ms: 30000, memory_mb: 256 }'): string {
  const dir = tempDir();
  copyFileSync(RUNNER_SOURCE, join(dir, 'run_tests.py'));
  writeFileSync(join(dir, 'tests.py'), tests);
  const run = ['python3', '-I', 'run_tests.py', '--tests', 'tests.py', '--time-limit-ms', '1000', '--budget-ms', '4000', ...runnerArgs];
  const serve = ['python3', '-I', 'run_tests.py', '--serve', '--memory-mb', '128'];
  writeFileSync(join(dir, 'grader.yaml'), `language: python\nmode: harness\nlimits: ${limits}\nharness:\n  files: [run_tests.py, tests.py]\n  run: ${JSON.stringify(run)}\n  candidate: { files: [run_tests.py], run: ${JSON.stringify(serve)} }\n`);
  return dir;
}

/** A submission folder with the given files (solution.py unless named otherwise). */
function submission(files: Record<string, string> | string): string {
  const dir = tempDir();
  for (const [name, text] of Object.entries(typeof files === 'string' ? { 'solution.py': files } : files)) writeFileSync(join(dir, name), text);
  return dir;
}

const ADD = grader(ADD_TESTS);

function grade(graderDir: string, solution: Record<string, string> | string): Promise<GradeResult> {
  return gradeSubmission({ graderDir, submission: submission(solution) });
}

function outcomes(result: GradeResult): Array<[string, string]> {
  return result.tests.map((t) => [t.verdict ?? 'not run', t.output.split('\n')[0] ?? '']);
}

test('one test per assert (constant asserts left out, set-up replayed): a correct solution gets AC, full marks', async () => {
  const result = await grade(ADD, 'def add(a, b):\n    return a + b\n');
  assert.is(result.verdict, 'AC', JSON.stringify(result.tests));
  assert.equal([result.score, result.max_score], [3, 3]);
  assert.equal(result.tests.map((t) => t.name), ['1: assert add(1, 2) == 3', '2: assert add(-1, 1) == 0', '3: assert add(2, offset) == 3']);
  assert.is(result.output, '3 of 3 tests passed.');
});

test('partial credit: a wrong answer fails its own test only; exceptions name their type and the line', async () => {
  const wrong = await grade(ADD, 'def add(a, b):\n    return 3\n');
  assert.is(wrong.verdict, 'WA');
  assert.equal(outcomes(wrong), [['AC', ''], ['WA', 'wrong answer'], ['AC', '']]);
  assert.equal([wrong.score, wrong.max_score], [2, 3]);
  const crash = await grade(ADD, 'def add(a, b):\n    return (a + b) // (a + b) * (a + b)\n');
  assert.equal(outcomes(crash), [['AC', ''], ['WA', 'ZeroDivisionError: integer division or modulo by zero (solution.py line 2)'], ['AC', '']]);
  const missing = await grade(ADD, 'def plus(a, b):\n    return a + b\n');
  assert.equal(outcomes(missing).map((o) => o[1]), Array(3).fill("NameError: name 'add' is not defined"));
  const ownAssert = await grade(ADD, 'def add(a, b):\n    assert a > 0\n    return a + b\n');
  assert.equal(outcomes(ownAssert)[1], ['WA', 'AssertionError (solution.py line 2)']);
});

test('a syntax error is CE, from the build step; tests do not run', async () => {
  const result = await grade(ADD, 'def add(a, b)\n    return a + b\n');
  assert.is(result.verdict, 'CE');
  assert.is(result.score, 0);
  assert.match(result.output, /^Compile error:[\s\S]*SyntaxError/);
});

test('an infinite loop fails its own test with a time limit; the other tests still pass', async () => {
  const started = performance.now();
  const result = await grade(ADD, 'def add(a, b):\n    while a < 0:\n        pass\n    return a + b\n');
  assert.equal(outcomes(result), [['AC', ''], ['WA', 'time limit (1 s per test)'], ['AC', '']]);
  assert.ok(performance.now() - started < 8000);
});

test('a solution that hangs every test stops at the time for all tests: the rest are not run', async () => {
  const result = await grade(ADD, 'while True:\n    pass\n');
  assert.equal(outcomes(result).map((o) => o[1]), ['time limit (1 s per test)', 'time limit (1 s per test)', 'time limit (1 s per test)']);
  const many = grader(Array.from({ length: 8 }, (_, i) => `assert f(${i}) == ${i}`).join('\n'));
  const budget = await grade(many, 'def f(x):\n    while True:\n        pass\n');
  const texts = outcomes(budget).map((o) => o[1]);
  assert.ok(texts.filter((t) => t.startsWith('time limit')).length <= 5, texts.join('\n'));
  assert.is(texts.at(-1), 'not run: earlier tests used up the time for all tests (4 s)');
});

test('exit(), os._exit, a segfault and a MemoryError fail one test each; the next test runs in a new process', async () => {
  const solution = `import os, sys, ctypes
def add(a, b):
    if a == 1:
        sys.exit(0)
    if a == -1:
        os._exit(0)
    if a == 2:
        ctypes.string_at(0)
    return a + b
`;
  const result = await grade(ADD, solution);
  assert.equal(outcomes(result), [
    ['WA', 'the solution called exit() while being tested'],
    ['WA', 'the test ended without a result (did the solution call os._exit?)'],
    ['WA', 'the test process was killed by SIGSEGV'],
  ]);
  const memory = await grade(ADD, 'def add(a, b):\n    if a == -1:\n        x = [0] * (1 << 30)\n    return a + b\n');
  assert.equal(outcomes(memory), [['AC', ''], ['WA', 'memory limit (MemoryError)'], ['AC', '']]);
});

test('tests do not share globals: each runs the solution afresh', async () => {
  const result = await grade(ADD, 'calls = 0\ndef add(a, b):\n    global calls\n    calls += 1\n    return a + b + calls - 1\n');
  assert.is(result.verdict, 'AC', JSON.stringify(outcomes(result)));
});

test('what the solution prints is shown, cut short, under a failed test only', async () => {
  const result = await grade(ADD, 'def add(a, b):\n    print("debug", a, b)\n    print("x" * 5000)\n    return 1 if a < 0 else a + b\n');
  const [passed, failed] = result.tests;
  assert.is(passed?.output, '');
  assert.ok(failed?.output.startsWith('wrong answer\n--- printed by the solution (cut at 1 KiB) ---\ndebug -1 1\nxxx'), JSON.stringify(result.tests));
  assert.ok((failed?.output.length ?? 0) < 1200);
});

test('the solution file may have another name; with two candidates and no solution.py every test says so', async () => {
  const renamed = await gradeSubmission({ graderDir: ADD, submission: join(submission({ 'answer.py': 'def add(a, b):\n    return a + b\n' }), 'answer.py') });
  assert.is(renamed.verdict, 'AC');
  const two = await grade(ADD, { 'main.py': 'def add(a, b):\n    return a + b\n', 'helper.py': 'X = 1\n' });
  assert.is(two.score, 0);
  assert.match(two.output, /No solution\.py found: submit one Python file named solution\.py/);
});

const FORGED = JSON.stringify({ score: 100, output: 'forged', tests: [{ name: 'forged', score: 100, max_score: 100, status: 'passed' }] });

test('a submission that writes its own results.json does not get the marks', async () => {
  const attempts: Record<string, string> = {
    'at import': `open('results.json', 'w').write(${JSON.stringify(FORGED)})`,
    'from a process left behind': `import os, time\nif os.fork() == 0:\n    os.setsid()\n    for _ in range(200):\n        try:\n            open('results.json', 'w').write(${JSON.stringify(FORGED)})\n        except OSError:\n            pass\n        time.sleep(0.01)\n    os._exit(0)`,
    'as a link to its own file': `import os\nos.symlink('solution.py', 'results.json')`,
    'as a folder': `import os\nos.makedirs('results.json/x', exist_ok=True)`,
    'by killing the runner': `import os, signal\nos.kill(os.getppid(), signal.SIGKILL)`,
  };
  for (const [how, code] of Object.entries(attempts)) {
    const result = await grade(ADD, `${code}\ndef add(a, b):\n    return 0\n`);
    assert.ok(result.score < result.max_score && result.max_score <= 3 && result.verdict !== 'AC', `${how}: ${result.verdict} ${result.score}/${result.max_score}`);
    assert.ok(!result.tests.some((t) => t.name === 'forged'), how);
  }
});

test('the forging attacks kept as fixtures in graders/humaneval-0 score nothing (their function returns None)', async () => {
  const dir = fromPackageRoot('graders', 'humaneval-0');
  const attacks = ['forges_results.py', 'forges_report.py', 'exits_early.py', 'always_equal.py', 'patches_runner.py', 'prints_markers.py'];
  for (const name of attacks) {
    const result = await gradeSubmission({ graderDir: dir, submission: join(dir, 'submissions', name) });
    assert.is(result.score, 0, `${name}: ${JSON.stringify(outcomes(result))}`);
    assert.is(result.max_score, 7, name);
    assert.is(result.gradable, true, name);
    assert.ok(result.tests.every((t) => t.verdict === 'WA' && t.name !== 'forged'), name);
  }
});

test('a forged answer on the pipe is only a value: the runner compares it, and it cannot match an unknown expectation', async () => {
  // The solution answers every request itself, on every descriptor of its server, with True.
  const forger = `import os, json
def add(a, b):
    for pid in ('self', str(os.getppid())):
        for fd in os.listdir(f'/proc/{pid}/fd'):
            try:
                out = os.open(f'/proc/{pid}/fd/{fd}', os.O_WRONLY | os.O_NONBLOCK)
                os.write(out, ''.join(json.dumps({'id': i, 'value': True}) + '\\n' for i in range(1, 30)).encode())
                os.close(out)
            except OSError:
                pass
    return None
`;
  const result = await grade(ADD, forger);
  assert.is(result.score, 0, JSON.stringify(outcomes(result)));
});

test('HumanEval style (--check): the asserts of check() are the tests; dependent asserts stay one test', async () => {
  const checkTests = `
METADATA = {}

def check(candidate):
    import math
    assert candidate(4) == 2
    assert True
    assert math.isclose(candidate(2.25), 1.5)
    for x in range(5):
        assert candidate(x * x) == x
`;
  const split = grader(checkTests, ['--check', 'check', '--candidate', 'root']);
  const result = await grade(split, 'def root(x):\n    return x ** 0.5\n');
  assert.is(result.verdict, 'AC', JSON.stringify(outcomes(result)));
  assert.equal(result.tests.map((t) => t.name), ['1: assert candidate(4) == 2', '2: assert math.isclose(candidate(2.25), 1.5)', '3: for x in range(5): assert candidate(x * x) == x']);
  const dependent = grader('def check(candidate):\n    for x in range(3):\n        assert candidate(x) == x\n    assert x == 2\n', ['--check', 'check', '--candidate', 'f']);
  const whole = await grade(dependent, 'def f(x):\n    return x\n');
  assert.equal(whole.tests.map((t) => [t.name, t.verdict]), [['1: all tests of check()', 'AC']]);
  const notDefined = await grade(split, 'def sqrt(x):\n    return x ** 0.5\n');
  assert.equal(outcomes(notDefined).map((o) => o[1]), Array(3).fill('solution.py does not define the function root()'));
});

test('a broken grader (no check function in the tests) is the grader\'s failure: IE, not gradable, the detail for operators', async () => {
  const broken = grader('def test_it(candidate):\n    assert candidate(1)\n', ['--check', 'check', '--candidate', 'f']);
  const result = await grade(broken, 'def f(x):\n    return x\n');
  assert.is(result.score, 0);
  assert.is(result.verdict, 'IE');
  assert.is(result.gradable, false);
  assert.is(result.tests[0]?.output, '');
  assert.match(result.internal_problems.join('\n'), /harness error: tests\.py defines no function check\(\)/);
});

test.run();
