// The language registry: each record's plan for a submission (the commands graders rely on), the
// entry rules and the faults of a submission (its compile errors), a grader's own program's policy, and that every record's
// policies exist and compile and its packages are what infra/install.sh installs.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { fromPackageRoot } from '../../services/common/package-root.js';
import { planFor } from '../../services/grading/languages/plan.js';
import { LANGUAGES, languageRecords, policyForProgram, type Language } from '../../services/grading/languages/registry.js';
import { compilePolicy } from '../../services/seccomp/policy.js';
import { folderWith, removeTempDirs } from '../support/helpers.js';

test.after.each(removeTempDirs);

const JAVA_MAIN = 'public class Sum { public static void main(String[] args) {} }';

/** One submission per language and the plan it gets by default (memory limit 256 MiB). */
const PLANS: Record<Language, { files: Record<string, string>; build: string[]; buildPolicy: string; run: string[]; policy: string; elfBinary: string | null; fault: null }> = {
  c: { files: { 'b.c': '', 'a.c': '' }, build: ['gcc', '-O2', '-std=gnu17', '-o', 'main', 'a.c', 'b.c', '-lm'], buildPolicy: 'compile', run: ['./main'], policy: 'default', elfBinary: 'main', fault: null },
  cpp: { files: { 'a.cpp': '', 'b.cc': '' }, build: ['g++', '-O2', '-std=gnu++17', '-o', 'main', 'a.cpp', 'b.cc', '-lm'], buildPolicy: 'compile', run: ['./main'], policy: 'default', elfBinary: 'main', fault: null },
  python: { files: { 'main.py': '', 'util.py': '' }, build: ['python3', '-I', '-m', 'py_compile', 'main.py', 'util.py'], buildPolicy: 'python', run: ['python3', 'main.py'], policy: 'python', elfBinary: null, fault: null },
  java: { files: { 'Sum.java': JAVA_MAIN, 'Util.java': 'class Util {}' }, build: ['javac', '-proc:none', '-encoding', 'UTF-8', '-d', '.', 'Sum.java', 'Util.java'], buildPolicy: 'java',
    run: ['java', '-Xmx153m', '-Xss64m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-cp', '.', 'Sum'], policy: 'java', elfBinary: null, fault: null },
  // The script between -e and the files is gradebox's own: node --check on each file.
  javascript: { files: { 'main.mjs': '', 'util.cjs': '' }, build: ['node', '-e', 'main.mjs', 'util.cjs'], buildPolicy: 'node', run: ['node', 'main.mjs'], policy: 'node', elfBinary: null, fault: null },
  go: { files: { 'main.go': 'package main', 'util.go': 'package main' }, build: ['go', 'build', '-buildvcs=false', '-o', 'main', 'main.go', 'util.go'], buildPolicy: 'go', run: ['./main'], policy: 'go', elfBinary: 'main', fault: null },
};

test('every language has a record, and each plans its build and runs as graders expect', () => {
  assert.equal([...LANGUAGES].sort(), Object.keys(PLANS).sort());
  for (const language of LANGUAGES) {
    const { files, ...expected } = PLANS[language];
    const { buildEnv: _buildEnv, language: planned, ...plan } = planFor(language, folderWith(files), 256, {});
    assert.is(planned, language, 'the plan names its language');
    if (language === 'javascript') assert.match(plan.build!.splice(2, 1)[0]!, /spawnSync\(process\.execPath, \['--check', file\]/);
    assert.equal(plan, expected, language);
  }
});

test('a grader\'s own commands: {main} and {sources} are filled in, and a run that is not the binary alone leaves the ELF layer', () => {
  const dir = folderWith({ 'main.py': '', 'util.py': '' });
  const python = planFor('python', dir, 256, { build: ['python3', '-c', 'pass', '{sources}'], run: ['python3', '-X', 'utf8', '{main}'] });
  assert.equal(python.build, ['python3', '-c', 'pass', 'main.py', 'util.py']);
  assert.equal(python.run, ['python3', '-X', 'utf8', 'main.py']);
  const c = planFor('c', folderWith({ 'a.c': '' }), 256, { run: ['{main}', '--fast'] });
  assert.equal([c.run, c.elfBinary], [['./main', '--fast'], null]);
});

/** The fault a submission's plan carries (its compile error), and whether it can still be built. */
function faultOf(language: Language, files: Record<string, string>, options: Parameters<typeof planFor>[3] = {}): { fault: string | null; builds: boolean } {
  const plan = planFor(language, folderWith(files), 256, options);
  return { fault: plan.fault, builds: plan.build !== null };
}

test('submission faults are part of the plan (a compile error), never thrown: nothing to build, or after the build', () => {
  assert.equal(faultOf('c', {}), { fault: 'The submission is empty: it has no file. Submit your program\'s source files.', builds: false });
  const other = faultOf('cpp', { 'sum.java': '', 'notes.txt': '' });
  assert.equal(other, { fault: 'This assignment is graded as cpp, but the submission has no .cc, .cpp or .cxx file: it has notes.txt and sum.java (java). Submit your program as .cc, .cpp or .cxx source files.', builds: false });
  assert.is(faultOf('python', { 'main.py': 'print(1)\0' }).fault, 'main.py is not source code (it holds NUL bytes, as compiled programs and documents do): submit the program\'s source, saved as UTF-8 text.');
  const latin1 = folderWith({});
  writeFileSync(join(latin1, 'A.java'), Buffer.from('class A {} // caf\xe9', 'latin1'));
  assert.is(planFor('java', latin1, 256, {}).fault, 'A.java is not source code (it is not valid UTF-8): submit the program\'s source, saved as UTF-8 text.');
  assert.is(faultOf('c', { 'main.c': '', '@opts.c': '' }).fault, '@opts.c: a source file\'s name may not start with - or @ (compilers read such a word as options): rename it.');
  assert.equal(faultOf('javascript', { 'a.js': '', 'b.js': '' }), {
    fault: 'The submission has several javascript files (a.js and b.js) and none is named main.js, so it is not clear which one the program starts from: name the entry file when you submit, or call it main.js.',
    builds: true,
  });
  assert.equal(faultOf('java', { 'A.java': 'class A { void main(String[] a) {} }' }), {
    fault: 'No class of the submission declares public static void main(String[] args): add it to the class the program starts from.', builds: true,
  });
  assert.equal(faultOf('go', { 'sum.go': 'package sum' }).fault, 'No Go file of the submission declares package main: start the program\'s files with package main.');
});

test('an entry file picks the program among several; one that is not a source of the submission is a fault', () => {
  const files = { 'solve.py': '', 'util.py': '', 'notes.txt': '' };
  assert.equal(planFor('python', folderWith(files), 256, { entry: 'util.py' }).run, ['python3', 'util.py']);
  assert.is(faultOf('python', files, { entry: 'main.py' }).fault, 'The entry file main.py is not in the submission, at its top level: name one of solve.py and util.py.');
  assert.is(faultOf('python', files, { entry: 'notes.txt' }).fault, 'The entry file notes.txt is not a python source file (.py): name one of solve.py and util.py.');
  assert.equal(planFor('javascript', folderWith({ 'app.cjs': '', 'lib.mjs': '' }), 256, { entry: 'app.cjs' }).run, ['node', 'app.cjs']);
  // C builds every file whatever the entry; a missing one is still the submission's fault.
  assert.equal(faultOf('c', { 'a.c': '', 'b.c': '' }, { entry: 'a.c' }), { fault: null, builds: true });
  assert.is(faultOf('c', { 'a.c': '' }, { entry: 'main.c' }).fault, 'The entry file main.c is not in the submission, at its top level: name one of a.c.');
  // A grader's build that needs {main} cannot run without one.
  assert.equal(faultOf('python', { 'a.py': '', 'b.py': '' }, { build: ['python3', '-m', 'py_compile', '{main}'] }).builds, false);
});

test('Java runs the class that declares main by its qualified name; several are told apart by the entry file', () => {
  const MAIN = 'public static void main(String[] args) {}';
  const java = (files: Record<string, string>, entry?: string) => planFor('java', folderWith(files), 256, { entry });
  assert.is(java({ 'test-hello.java': `class Main { ${MAIN} }` }).run.at(-1), 'Main');
  assert.is(java({ 'A.java': `package a.b; class Start { ${MAIN} }`, 'B.java': 'package c; class Helper {}' }).run.at(-1), 'a.b.Start');
  const several = { 'Main.java': `class Main { ${MAIN} }`, 'Debug.java': `package tools; class Debug { ${MAIN} }` };
  assert.is(java(several).fault, 'Several classes declare public static void main(String[] args): tools.Debug (Debug.java) and Main (Main.java), so it is not clear which one the program starts from: name the entry file when you submit, or keep main in one class only.');
  assert.is(java(several, 'Debug.java').run.at(-1), 'tools.Debug');
  assert.is(java({ 'Two.java': `class One { ${MAIN} } class Two { ${MAIN} }` }, 'Two.java').run.at(-1), 'Two', 'in the entry file, the class named like it');
  assert.equal([java(several, 'Main.java').fault, java(several, 'Main.java').run.at(-1)], [null, 'Main']);
  assert.is(java({ 'A.java': `class A { ${MAIN} }`, 'B.java': 'class B {}' }, 'B.java').fault,
    'The entry file B.java declares no class with public static void main(String[] args): name the file whose class the program starts from, or add main to it.');
});

test('a grader\'s own program runs under the policy of the language that claims its name, else default', () => {
  const cases: Array<[string, string]> = [
    ['python3', 'python'], ['/usr/bin/python3.11', 'python'], ['python', 'python'], ['node', 'node'], ['java', 'java'],
    ['go', 'go'], ['./checker', 'default'], ['/bin/sh', 'default'], ['nodejs-like', 'default'], ['javac', 'default'],
  ];
  for (const [program, policy] of cases) assert.is(policyForProgram(program), policy, program);
});

test('every record\'s policies exist and compile, and no two records claim an extension', () => {
  const seen = new Map<string, string>();
  for (const record of languageRecords()) {
    for (const name of new Set([record.policy, record.buildPolicy])) {
      assert.ok(existsSync(fromPackageRoot('policies', `${name}.yaml`)), `${record.name}: policies/${name}.yaml`);
      assert.is(compilePolicy(name).chain[0], 'base', `${record.name}: ${name}`);
    }
    for (const extension of record.extensions) {
      assert.is(seen.get(extension), undefined, `${extension} is claimed by ${seen.get(extension)} and ${record.name}`);
      seen.set(extension, record.name);
    }
  }
});

/** infra/install.sh's LANGUAGE_PACKAGES lines as [package, language] pairs. */
function installedLanguagePackages(): Array<[string, string]> {
  const script = readFileSync(fromPackageRoot('infra', 'install.sh'), 'utf8');
  const block = /^LANGUAGE_PACKAGES=\(\n([\s\S]*?)^\)$/m.exec(script)?.[1];
  assert.ok(block, 'install.sh has a LANGUAGE_PACKAGES=( … ) block');
  return block.split('\n').filter((line) => line.trim() !== '').map((line) => {
    const match = /^\s+(\S+)\s+#\s+(\S+)$/.exec(line);
    assert.ok(match, `install.sh: "${line}" is not "package  # language"`);
    return [match[1]!, match[2]!];
  });
}

test('infra/install.sh installs exactly the packages the records name, one line each', () => {
  const fromRecords = languageRecords().flatMap((record) => record.packages.map((pkg): [string, string] => [pkg, record.name]));
  assert.equal(installedLanguagePackages().sort(), fromRecords.sort());
});

test.run();
