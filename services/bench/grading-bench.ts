// The grading pipeline's cost next to doing the same work bare: one C submission against 40
// stdin/stdout tests, graded by gradebox on one CPU slot and on two idle ones, versus one host
// compile plus the binary run 40 times from a shell loop.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, openSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { fromPackageRoot } from '../common/package-root.js';
import { canonicalEnvironment } from '../sandbox/environment.js';
import { gradeSubmission } from '../grading/grade.js';
import { CpuSlots } from '../worker/cpu-slots.js';

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
  /** Medians of ROUNDS gradings, alternating one slot and two, s. */
  gradebox_one_slot_s: number;
  gradebox_two_slots_s: number;
  /** One gcc and the 40 runs from a shell loop (no Node spawn per run), median, s. */
  bare_compile_and_runs_s: number;
  /** gradebox on one slot ÷ bare; the target is at most 1.4. */
  ratio_gradebox_to_bare: number;
  /** Two idle slots' wall time ÷ one slot's; the target is at most 0.65. */
  ratio_two_slots_to_one: number;
}

const ROUNDS = 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

/** Seconds one grading takes on `cpus.length` slots, as a worker with that many idle slots grades it. */
async function timedGrading(grader: string, source: string, cpus: string[]): Promise<number> {
  const slots = new CpuSlots(cpus, cpus.length);
  const t0 = performance.now();
  const result = await gradeSubmission({ graderDir: grader, submission: source, cpuset: slots.tryAcquire(), spareCpus: slots.asSpare() });
  const seconds = (performance.now() - t0) / 1000;
  if (result.verdict !== 'AC') throw new Error(`the bench submission got ${result.verdict}`);
  return seconds;
}

export async function benchGrading(cpus: string[]): Promise<GradingBench> {
  const root = mkdtempSync(join(tmpdir(), 'gradebox-bench-'));
  try {
    const grader = benchGrader(root);
    const source = join(root, 'main.c');
    copyFileSync(fromPackageRoot('graders', 'sum-c', 'submissions', 'accepted.c'), source);
    await gradeSubmission({ graderDir: grader, submission: source }); // warm-up: layers, page cache
    const bareScript = `gcc -O2 -std=gnu17 -o main main.c -lm && for f in '${grader}'/tests/*.in; do ./main < "$f" > /dev/null || exit 1; done`;
    const one: number[] = [], two: number[] = [], bare: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      one.push(await timedGrading(grader, source, cpus.slice(0, 1)));
      two.push(await timedGrading(grader, source, cpus.slice(0, 2)));
      const t0 = performance.now();
      await runBare('sh', ['-c', bareScript], root);
      bare.push((performance.now() - t0) / 1000);
    }
    const round3 = (x: number) => Math.round(x * 1000) / 1000;
    const [o, t, b] = [median(one), median(two), median(bare)];
    return { tests: TESTS, gradebox_one_slot_s: round3(o), gradebox_two_slots_s: round3(t), bare_compile_and_runs_s: round3(b),
      ratio_gradebox_to_bare: Math.round((o / b) * 100) / 100, ratio_two_slots_to_one: Math.round((t / o) * 100) / 100 };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
