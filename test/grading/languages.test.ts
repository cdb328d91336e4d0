// The language registry: each record's plan for a submission (the commands graders rely on), the
// entry rules and their errors, a grader's own program's policy, and that every record's
// policies exist and compile and its packages are what infra/install.sh installs.
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { UserError } from '../../services/common/errors.js';
import { fromPackageRoot } from '../../services/common/package-root.js';
import { planFor } from '../../services/grading/languages/plan.js';
import { LANGUAGES, languageRecords, policyForProgram, type Language } from '../../services/grading/languages/registry.js';
import { compilePolicy } from '../../services/seccomp/policy.js';
import { folderWith, removeTempDirs } from '../support/helpers.js';

test.after.each(removeTempDirs);

const JAVA_MAIN = 'public class Sum { public static void main(String[] args) {} }';

/** One submission per language and the plan it gets by default (memory limit 256 MiB). */
const PLANS: Record<Language, { files: Record<string, string>; build: string[]; buildPolicy: string; run: string[]; policy: string; elfBinary: string | null }> = {
  c: { files: { 'b.c': '', 'a.c': '' }, build: ['gcc', '-O2', '-std=gnu17', '-o', 'main', 'a.c', 'b.c', '-lm'], buildPolicy: 'compile', run: ['./main'], policy: 'default', elfBinary: 'main' },
  cpp: { files: { 'a.cpp': '', 'b.cc': '' }, build: ['g++', '-O2', '-std=gnu++17', '-o', 'main', 'a.cpp', 'b.cc', '-lm'], buildPolicy: 'compile', run: ['./main'], policy: 'default', elfBinary: 'main' },
  python: { files: { 'main.py': '', 'util.py': '' }, build: ['python3', '-I', '-m', 'py_compile', 'main.py', 'util.py'], buildPolicy: 'python', run: ['python3', 'main.py'], policy: 'python', elfBinary: null },
  java: { files: { 'Sum.java': JAVA_MAIN, 'Util.java': 'class Util {}' }, build: ['javac', '-proc:none', '-encoding', 'UTF-8', '-d', '.', 'Sum.java', 'Util.java'], buildPolicy: 'java',
    run: ['java', '-Xmx153m', '-Xss64m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-cp', '.', 'Sum'], policy: 'java', elfBinary: null },
  javascript: { files: { 'sum.mjs': '' }, build: ['node', '--check', 'sum.mjs'], buildPolicy: 'node', run: ['node', 'sum.mjs'], policy: 'node', elfBinary: null },
  go: { files: { 'main.go': '', 'util.go': '' }, build: ['go', 'build', '-buildvcs=false', '-o', 'main', 'main.go', 'util.go'], buildPolicy: 'go', run: ['./main'], policy: 'go', elfBinary: 'main' },
};

function userErrorOf(call: () => unknown): UserError {
  try {
    call();
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error('expected a UserError');
}

test('every language has a record, and each plans its build and runs as graders expect', () => {
  assert.equal([...LANGUAGES].sort(), Object.keys(PLANS).sort());
  for (const language of LANGUAGES) {
    const { files, ...expected } = PLANS[language];
    const { buildEnv: _buildEnv, ...plan } = planFor(language, folderWith(files), 256, {});
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

test('entry rules: no source, several without main, no Java main class', () => {
  assert.is(userErrorOf(() => planFor('c', folderWith({ 'a.txt': '' }), 256, {})).code, 'E_SUBMISSION_NO_SOURCE');
  const ambiguous = userErrorOf(() => planFor('javascript', folderWith({ 'a.js': '', 'b.js': '' }), 256, {}));
  assert.equal([ambiguous.code, ambiguous.message], ['E_SUBMISSION_AMBIGUOUS', 'the submission has several javascript files and none is named main: name the entry file main.js']);
  assert.is(userErrorOf(() => planFor('java', folderWith({ 'A.java': 'class A {}' }), 256, {})).code, 'E_SUBMISSION_NO_MAIN');
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
