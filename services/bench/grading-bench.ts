// The grading pipeline's cost next to doing the same work bare: one C submission against 40
// stdin/stdout tests, graded by gradebox versus one host compile plus the binary run 40 times.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, openSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { fromPackageRoot } from '../common/package-root.js';
import { canonicalEnvironment } from '../sandbox/environment.js';
import { gradeSubmission } from '../grading/grade.js';

const TESTS = 40;

function runBare(command: string, args: string[], cwd: string, stdinPath?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const stdin = stdinPath ? openSync(stdinPath, 'r') : 'ignore';
    const child = spawn(command, args, { cwd, stdio: [stdin, 'ignore', 'inherit'], env: canonicalEnvironment() });
    if (typeof stdin === 'number') closeSync(stdin);
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}`))));
  });
}

/** A sum-of-numbers grader with TESTS generated tests, in a temp folder. */
function benchGrader(root: string): string {
  const dir = join(root, 'grader');
  mkdirSync(join(dir, 'tests'), { recursive: true });
  for (let i = 1; i <= TESTS; i++) {
    const numbers = Array.from({ length: 1000 }, (_, k) => (k * 7919 + i * 104729) % 100_000 - 50_000);
    writeFileSync(join(dir, 'tests', `${i}.in`), `${numbers.length}\n${numbers.join(' ')}\n`);
    writeFileSync(join(dir, 'tests', `${i}.out`), `${numbers.reduce((a, b) => a + b, 0)}\n`);
  }
  writeFileSync(join(dir, 'grader.yaml'), 'language: c\ntests:\n  - glob: tests/*.in\n');
  return dir;
}

export interface GradingBench {
  tests: number;
  gradebox_s: number;
  bare_compile_and_runs_s: number;
  /** gradebox ÷ bare; the target is at most 1.5. */
  ratio_gradebox_to_bare: number;
}

export async function benchGrading(): Promise<GradingBench> {
  const root = mkdtempSync(join(tmpdir(), 'gradebox-bench-'));
  try {
    const grader = benchGrader(root);
    const source = join(root, 'main.c');
    copyFileSync(fromPackageRoot('graders', 'sum-c', 'submissions', 'accepted.c'), source);
    await gradeSubmission({ graderDir: grader, submission: source }); // warm-up: layers, page cache

    const t0 = performance.now();
    const result = await gradeSubmission({ graderDir: grader, submission: source });
    const gradebox = (performance.now() - t0) / 1000;
    if (result.verdict !== 'AC') throw new Error(`the bench submission got ${result.verdict}`);

    const t1 = performance.now();
    await runBare('gcc', ['-O2', '-std=gnu17', '-o', 'main', 'main.c', '-lm'], root);
    for (let i = 1; i <= TESTS; i++) await runBare('./main', [], root, join(grader, 'tests', `${i}.in`));
    const bare = (performance.now() - t1) / 1000;
    const round = (x: number) => Math.round(x * 1000) / 1000;
    return { tests: TESTS, gradebox_s: round(gradebox), bare_compile_and_runs_s: round(bare), ratio_gradebox_to_bare: Math.round((gradebox / bare) * 100) / 100 };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
