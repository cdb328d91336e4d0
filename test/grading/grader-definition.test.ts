// Grader definitions: the grader.yaml contract, defaults, globs in natural order, paths kept inside the
// folder, errors that name the file and the field, and a digest that follows the files' content.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { UserError } from '../../services/common/errors.js';
import { DEFAULT_GRADER_LIMITS } from '../../services/grading/grader-definition.js';
import { loadGrader } from '../../services/grading/load-grader.js';

const made: string[] = [];

test.after(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gradebox-grader-'));
  made.push(dir);
  return dir;
}

function write(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

/** A grader folder with tests/1, 2 and 10 (.in and .out) plus the given files. */
function graderWith(yaml: string, extra: Record<string, string> = {}): string {
  const dir = tempFolder();
  write(dir, {
    'tests/1.in': '1\n', 'tests/1.out': 'one\n',
    'tests/2.in': '2\n', 'tests/2.out': 'two\n',
    'tests/10.in': '10\n', 'tests/10.out': 'ten\n',
    ...extra,
    'grader.yaml': yaml,
  });
  return dir;
}

/** Loading must fail with E_GRADER_INVALID, naming grader.yaml and matching `pattern`. */
function rejects(dir: string, pattern: RegExp): void {
  try {
    loadGrader(dir);
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    assert.is(err.code, 'E_GRADER_INVALID', err.message);
    assert.ok(err.message.includes(join(dir, 'grader.yaml')) || err.message.startsWith('grader.yaml'), err.message);
    assert.match(err.message, pattern);
    return;
  }
  assert.unreachable(`${dir}/grader.yaml was accepted; expected an error matching ${pattern}`);
}

test('explicit tests and a glob: natural order, .in paired with .out, names from the file stem', () => {
  const dir = graderWith(`
language: c
tests:
  - name: sample-1
    stdin: samples/a.in
    expect: samples/a.out
  - stdin: samples/b.in
    expect: samples/b.out
  - glob: tests/*.in
    points: 2
    visibility: hidden
`, { 'samples/a.in': '', 'samples/a.out': '', 'samples/b.in': '', 'samples/b.out': '' });
  const grader = loadGrader(dir);
  assert.equal(grader.tests.map((t) => t.name), ['sample-1', 'b', '1', '2', '10']);
  const ten = grader.tests[4];
  assert.is(ten?.stdin, join(grader.dir, 'tests/10.in'));
  assert.is(ten?.expect, join(grader.dir, 'tests/10.out'));
  // The glob's options apply to every test it makes.
  assert.equal(grader.tests.slice(2).map((t) => [t.points, t.visibility]), [[2, 'hidden'], [2, 'hidden'], [2, 'hidden']]);
  assert.is(grader.tests[1]?.expect, join(grader.dir, 'samples/b.out'));
});

test('defaults: limits, checker, tolerance, points, visibility, args, mode', () => {
  const grader = loadGrader(graderWith('language: python\ntests:\n  - { stdin: tests/1.in, expect: tests/1.out }\n'));
  assert.is(grader.language, 'python');
  assert.is(grader.mode, 'io');
  assert.equal(grader.limits, { cpuMs: 1000, wallMs: 3000, memoryMb: 256, outputKb: 1024 });
  assert.equal(grader.limits, { ...DEFAULT_GRADER_LIMITS });
  assert.equal(grader.files, []);
  assert.is(grader.build, undefined);
  assert.is(grader.run, undefined);
  assert.is(grader.entry, undefined);
  assert.is(grader.customChecker, undefined);
  assert.is(grader.harness, undefined);
  assert.is(grader.stopOnFailure, false);
  assert.equal(grader.tests, [{
    name: '1',
    stdin: join(grader.dir, 'tests/1.in'),
    expect: join(grader.dir, 'tests/1.out'),
    args: [],
    checker: 'lines',
    tolerance: 1e-6,
    caseSensitive: true,
    spaceChangeSensitive: false,
    points: 1,
    visibility: 'visible',
    limits: { ...DEFAULT_GRADER_LIMITS },
    files: [],
  }]);
});

test('the contract example loads as written', () => {
  const grader = loadGrader(graderWith(`
language: c            # c | cpp | python | java | javascript
limits: { cpu_ms: 1000, wall_ms: 3000, memory_mb: 256, output_kb: 1024 }   # per test
tests:
  - name: sample-1
    stdin: tests/1.in          # paths are relative to the grader folder
    args: []
    expect: tests/1.out        # expected stdout
    checker: float             # exact | lines (default) | tokens | float | custom
    tolerance: 1e-6            # float: absolute or relative
    points: 1
    visibility: after_due_date # visible | hidden | after_due_date | after_published
  - glob: tests/1?.in          # every x.in paired with x.out, same options
`));
  assert.equal(grader.tests.map((t) => [t.name, t.checker, t.tolerance, t.visibility]),
    [['sample-1', 'float', 1e-6, 'after_due_date'], ['10', 'lines', 1e-6, 'visible']]);
});

test('extensions: build and run, per-test limits over the top level, files, custom checker', () => {
  const grader = loadGrader(graderWith(`
language: c
limits: { cpu_ms: 2000, memory_mb: 64 }
build: [gcc, -O2, -o, main, '{main}']
run: [./main, --fast]
files: [data/words.txt]
custom_checker: { run: [python3, check.py], files: [check.py] }
tests:
  - name: fast
    stdin: tests/1.in
    expect: tests/1.out
    args: [-n, '3']
    limits: { cpu_ms: 500, output_kb: 8 }
    files: [data/extra.txt]
  - glob: tests/*.in
    checker: custom
`, { 'data/words.txt': 'w\n', 'data/extra.txt': 'x\n', 'check.py': 'pass\n' }));
  assert.equal(grader.build, ['gcc', '-O2', '-o', 'main', '{main}']);
  assert.equal(grader.run, ['./main', '--fast']);
  assert.equal(grader.files, [join(grader.dir, 'data/words.txt')]);
  assert.equal(grader.limits, { cpuMs: 2000, wallMs: 3000, memoryMb: 64, outputKb: 1024 });
  const first = grader.tests[0];
  assert.equal(first?.limits, { cpuMs: 500, wallMs: 3000, memoryMb: 64, outputKb: 8 });
  assert.equal(first?.args, ['-n', '3']);
  assert.equal(first?.files, [join(grader.dir, 'data/extra.txt')]);
  assert.equal(grader.tests[1]?.limits, grader.limits);
  assert.is(grader.tests[1]?.checker, 'custom');
  assert.equal(grader.customChecker, { run: ['python3', 'check.py'], files: [join(grader.dir, 'check.py')], root: grader.dir, args: [], protocol: 'exit01' });
});

test('entry: the source file every submission starts from, of the grader\'s language, at the top of the submission', () => {
  const one = 'tests: [{ stdin: tests/1.in, expect: tests/1.out }]';
  assert.is(loadGrader(graderWith(`language: python\nentry: solve.py\n${one}\n`)).entry, 'solve.py');
  assert.is(loadGrader(graderWith(`language: javascript\nentry: app.cjs\n${one}\n`)).entry, 'app.cjs');
  rejects(graderWith(`language: python\nentry: solve.js\n${one}\n`), /field entry: expected a python source file \(\.py\), such as main\.py, got "solve\.js"/);
  rejects(graderWith(`language: cpp\nentry: main\n${one}\n`), /field entry: expected a cpp source file \(\.cc, \.cpp or \.cxx\), such as main\.cc/);
  rejects(graderWith(`language: java\nentry: src/Main.java\n${one}\n`), /field entry: expected a source file name at the top of the submission, such as main\.py, got "src\/Main\.java"/);
  rejects(graderWith(`language: java\nentry: 3\n${one}\n`), /field entry: expected a source file name at the top of the submission, such as main\.py, got 3/);
});

test('a custom-checked test may have no expected output, but then needs a name', () => {
  const yaml = (name: string) => `
language: c
custom_checker: { run: [./check] }
tests:
  - { ${name}args: [x], checker: custom }
`;
  const grader = loadGrader(graderWith(yaml('name: fuzz, ')));
  assert.is(grader.tests[0]?.expect, undefined);
  assert.is(grader.tests[0]?.stdin, undefined);
  rejects(graderWith(yaml('')), /field tests\[0\]\.name: missing/);
});

test('harness mode: instructor files and a results path instead of tests', () => {
  const grader = loadGrader(graderWith(`
language: python
mode: harness
harness: { files: [test_solution.py], run: [python3, test_solution.py] }
`, { 'test_solution.py': 'print(1)\n' }));
  assert.is(grader.mode, 'harness');
  assert.equal(grader.tests, []);
  assert.equal(grader.harness, { files: [join(grader.dir, 'test_solution.py')], run: ['python3', 'test_solution.py'], results: 'results.json', maxScore: 1,
    candidate: { run: undefined, files: [] } });
  const adapter = loadGrader(graderWith(`
language: python
mode: harness
harness: { files: [t.py], run: [python3, t.py], candidate: { files: [serve.py], run: [python3, serve.py] } }
`, { 't.py': 'print(1)\n', 'serve.py': 'print(2)\n' }));
  assert.equal(adapter.harness?.candidate, { run: ['python3', 'serve.py'], files: [join(adapter.dir, 'serve.py')] });
  rejects(graderWith('language: python\nmode: harness\nharness: { run: [x], candidate: { files: [../x.py] } }\n'), /field harness\.candidate\.files/);
  rejects(graderWith('language: python\nmode: harness\n'), /field harness: missing/);
  rejects(graderWith('language: python\nmode: harness\nharness: { run: [x] }\ntests: [{ glob: tests/*.in }]\n'), /field tests: mode: harness/);
  rejects(graderWith('language: python\nharness: { run: [x] }\ntests: [{ glob: tests/*.in }]\n'), /field harness: only mode: harness/);
  rejects(graderWith('language: python\nmode: harness\nharness: { run: [x], results: ../r.json }\n'), /field harness\.results: expected a path inside \/box/);
});

test('interactive mode and program folders: the interactor built from its folder, its language from the extensions; several languages', () => {
  const dir = graderWith('language: [python, c]\nmode: interactive\ninteractor: { dir: judge, args: ["7"] }\ntests:\n  - glob: tests/*.in\n', {
    'judge/interact.cpp': 'int main() { return 42; }\n', 'judge/lib/util.h': '\n',
  });
  const grader = loadGrader(dir);
  assert.equal([grader.mode, grader.languages, grader.language], ['interactive', ['python', 'c'], 'python']);
  assert.equal(grader.interactor, { run: undefined, files: [join(grader.dir, 'judge/interact.cpp'), join(grader.dir, 'judge/lib/util.h')], root: join(grader.dir, 'judge'), language: 'cpp', args: ['7'] });
  const checked = loadGrader(graderWith('language: any\ncustom_checker: { dir: judge, protocol: testlib }\ntests:\n  - { glob: tests/*.in, checker: custom }\n', { 'judge/check.py': '' }));
  assert.equal([checked.customChecker?.protocol, checked.customChecker?.language], ['testlib', 'python']);
  const float = loadGrader(graderWith('language: c\ntests:\n  - { glob: tests/*.in, checker: float, case_sensitive: false, tolerance: { relative: 1e-9 } }\n'));
  assert.equal([float.tests[0]!.caseSensitive, float.tests[0]!.tolerance], [false, { absolute: null, relative: 1e-9 }]);
});

test('errors: an interactor outside interactive mode or missing in it, a checker beside it, a program folder that cannot be built', () => {
  const tests = 'tests:\n  - glob: tests/*.in\n';
  const judge = { 'judge/i.c': '' };
  rejects(graderWith(`language: c\nmode: interactive\n${tests}`, judge), /field interactor: missing; mode: interactive needs interactor/);
  rejects(graderWith(`language: c\ninteractor: { dir: judge }\n${tests}`, judge), /field interactor: only mode: interactive uses it/);
  rejects(graderWith(`language: c\nmode: interactive\ninteractor: { dir: judge }\ncustom_checker: { dir: judge }\n${tests}`, judge), /in mode interactive the interactor decides each test/);
  rejects(graderWith(`language: c\nmode: interactive\ninteractor: { dir: judge }\n${tests}`, { 'judge/i.c': '', 'judge/j.py': '' }), /cannot tell the language of judge \(it has files of/);
  rejects(graderWith(`language: c\nmode: interactive\ninteractor: { dir: judge, files: [judge/i.c] }\n${tests}`, judge), /takes every file of its folder; drop files, or drop dir/);
  rejects(graderWith(`language: c\ncustom_checker: { run: [./check], language: c }\n${tests}`), /only a program given as a folder is built/);
  rejects(graderWith(`language: c\ncustom_checker: { dir: judge, protocol: icpc }\n${tests}`, judge), /field custom_checker\.protocol/);
  rejects(graderWith(`language: [python, c]\nrun: [python3, main.py]\n${tests}`), /a grader's own run command is for one language/);
});

test('errors: bad language, bad checker, negative points, bad limit, unknown keys', () => {
  const one = '{ stdin: tests/1.in, expect: tests/1.out';
  rejects(graderWith(`language: rust\ntests: [${one} }]\n`), /field language: expected one of c, cpp, python, java, javascript, go, a list of them, or any, got "rust"/);
  rejects(graderWith(`language: c\ntests: [${one} }, ${one}, name: b, checker: fuzzy }]\n`), /field tests\[1\]\.checker: expected one of exact, lines, tokens, float, custom, got "fuzzy"/);
  rejects(graderWith(`language: c\ntests: [${one}, points: -1 }]\n`), /field tests\[0\]\.points: expected a number of points, 0 or more, got -1/);
  rejects(graderWith(`language: c\nlimits: { cpu_ms: 0 }\ntests: [${one} }]\n`), /field limits\.cpu_ms: expected a whole number from 1 to/);
  rejects(graderWith(`language: c\ntests: [${one}, chekcer: exact }]\n`), /field tests\[0\]\.chekcer: unknown key "chekcer"; remove it/);
  rejects(graderWith(`language: c\ntimeout: 3\ntests: [${one} }]\n`), /field timeout: unknown key/);
  rejects(graderWith(`language: c\ntests: [${one}, tolerance: 0.1 }]\n`), /field tests\[0\]\.tolerance: only checker float/);
  rejects(graderWith(`language: c\ntests: [${one}, checker: custom }]\n`), /field tests\[0\]\.checker: custom needs a top-level custom_checker/);
  rejects(graderWith('language: c\ntests: []\n'), /field tests: missing; list at least one test/);
  rejects(graderWith(''), /field \(top level\): expected a mapping/);
  rejects(graderWith('language: c\ntests: [\n'), /not valid YAML/);
  rejects(graderWith(`language: c\nstop_on_failure: yes please\ntests: [${one} }]\n`), /field stop_on_failure: expected true or false, got "yes please"/);
  rejects(graderWith('language: python\nmode: harness\nstop_on_failure: true\nharness: { files: [t.py], run: [python3, t.py] }\n', { 't.py': '' }),
    /field stop_on_failure: a harness runs its tests itself/);
  assert.is(loadGrader(graderWith(`language: c\nstop_on_failure: true\ntests: [${one} }]\n`)).stopOnFailure, true);
});

test('errors: missing files, glob problems, duplicate names', () => {
  rejects(graderWith('language: c\ntests: [{ stdin: tests/1.in, expect: tests/9.out }]\n'), /field tests\[0\]\.expect: tests\/9\.out does not exist/);
  rejects(graderWith('language: c\ntests: [{ stdin: tests/1.in }]\n'), /field tests\[0\]\.expect: missing/);
  rejects(graderWith('language: c\ntests: [{ glob: tests/*.in }]\n', { 'tests/3.in': '3\n' }),
    /field tests\[0\]\.glob: tests\/3\.in has no expected output tests\/3\.out; add it/);
  rejects(graderWith('language: c\ntests: [{ glob: tests/*.txt.in }]\n'), /field tests\[0\]\.glob: tests\/\*\.txt\.in matches no file/);
  rejects(graderWith('language: c\ntests: [{ glob: tests/*.out }]\n'), /field tests\[0\]\.glob: .* must end in \.in/);
  rejects(graderWith('language: c\ntests: [{ glob: "*/1.in" }]\n'), /field tests\[0\]\.glob: .*file name only/);
  rejects(graderWith('language: c\ntests: [{ glob: tests/*.in, name: all }]\n'), /field tests\[0\]\.name: a glob entry/);
  rejects(graderWith('language: c\ntests: [{ stdin: tests, expect: tests/1.out }]\n'), /field tests\[0\]\.stdin: tests is not a regular file/);
  rejects(graderWith(`
language: c
tests:
  - { name: same, stdin: tests/1.in, expect: tests/1.out }
  - { name: same, stdin: tests/2.in, expect: tests/2.out }
`), /field tests\[1\]\.name: the test name "same" is also used by tests\[0\]/);
  rejects(graderWith('language: c\ntests: [{ stdin: tests/2.in, expect: tests/2.out }, { glob: tests/*.in }]\n'),
    /field tests\[1\]\.glob: the test name "2" is also used by tests\[0\]/);
});

test('errors: paths that leave the folder (.., absolute, symlinks to files and folders outside)', () => {
  const outside = tempFolder();
  write(outside, { 'secret.out': 'answers\n', 'more/1.in': '', 'more/1.out': '' });
  rejects(graderWith('language: c\ntests: [{ stdin: tests/1.in, expect: ../secret.out }]\n'), /field tests\[0\]\.expect: \.\.\/secret\.out leaves the grader folder/);
  rejects(graderWith('language: c\ntests: [{ stdin: tests/../../x.in, expect: tests/1.out }]\n'), /field tests\[0\]\.stdin: .* leaves the grader folder/);
  rejects(graderWith(`language: c\nfiles: [${join(outside, 'secret.out')}]\ntests: [{ glob: tests/*.in }]\n`), /field files\[0\]: .* is an absolute path/);

  const linked = graderWith('language: c\ntests: [{ stdin: tests/1.in, expect: tests/link.out }]\n');
  symlinkSync(join(outside, 'secret.out'), join(linked, 'tests/link.out'));
  rejects(linked, /field tests\[0\]\.expect: tests\/link\.out is a symlink to .*outside the grader folder/);

  const linkedFolder = graderWith('language: c\ntests: [{ glob: more/*.in }]\n');
  symlinkSync(join(outside, 'more'), join(linkedFolder, 'more'));
  rejects(linkedFolder, /field tests\[0\]\.glob: more is a symlink to .*outside the grader folder/);

  // A link that stays inside the folder is fine.
  const inside = graderWith('language: c\ntests: [{ stdin: tests/1.in, expect: tests/same.out }]\n');
  symlinkSync('1.out', join(inside, 'tests/same.out'));
  assert.is(loadGrader(inside).tests[0]?.expect, join(loadGrader(inside).dir, 'tests/same.out'));
});

test('no grader.yaml is E_GRADER_NOT_FOUND', () => {
  for (const dir of [tempFolder(), join(tempFolder(), 'missing')]) {
    try {
      loadGrader(dir);
      assert.unreachable('an empty folder was accepted');
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      assert.is(err.code, 'E_GRADER_NOT_FOUND');
    }
  }
});

test('digest: stable across loads and formatting, changes with any referenced file', () => {
  const yaml = 'language: c\nfiles: [data.txt]\ntests:\n  - glob: tests/*.in\n';
  const dir = graderWith(yaml, { 'data.txt': 'd\n' });
  const first = loadGrader(dir).digest;
  assert.match(first, /^[0-9a-f]{64}$/);
  assert.is(loadGrader(dir).digest, first);

  // Comments, spacing and key order are not content.
  write(dir, { 'grader.yaml': '# a comment\ntests: [ { glob: "tests/*.in" } ]\nfiles: [data.txt]\nlanguage: c\n' });
  assert.is(loadGrader(dir).digest, first);

  write(dir, { 'tests/10.out': 'TEN\n' });
  const changed = loadGrader(dir).digest;
  assert.is.not(changed, first);
  write(dir, { 'tests/10.out': 'ten\n' });
  assert.is(loadGrader(dir).digest, first);

  write(dir, { 'data.txt': 'e\n' });
  assert.is.not(loadGrader(dir).digest, first);
  write(dir, { 'data.txt': 'd\n', 'grader.yaml': `${yaml}    points: 2\n` });
  assert.is.not(loadGrader(dir).digest, first);
});

test.run();
