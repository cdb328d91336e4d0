// Grades one submission against one grader: build once in a sandbox, run every test in a fresh
// sandbox, compare, and write a result that is a superset of Gradescope's results.json.
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';

import { UserError } from '../common/errors.js';
import { gradeboxVersion } from '../common/version.js';
import { resolveLimits, type Limits } from '../sandbox/limits.js';
import { SandboxPool } from '../sandbox/pool.js';
import { defaultLayoutOnce, runSandboxed, scratchKbFor, type RunResult } from '../sandbox/sandbox.js';
import { installedPolicy } from '../sandbox/seccomp-program.js';
import type { RunStatus } from '../sandbox/outcome.js';
import { compareOutput, type CheckerName } from './checkers.js';
import { loadGrader, type GraderDefinition, type GraderTest } from './grader-definition.js';
import { planFor, type LanguagePlan } from './languages.js';

export const VERDICTS = ['AC', 'WA', 'TLE', 'MLE', 'OLE', 'RE', 'CE', 'SV', 'IE'] as const;
export type Verdict = (typeof VERDICTS)[number];

export interface TestResult {
  name: string;
  score: number;
  max_score: number;
  status: 'passed' | 'failed';
  output: string;
  visibility: string;
  verdict: Verdict;
  cpu_ms: number;
  wall_ms: number;
  memory_kb: number;
}

export interface Provenance {
  grader_digest: string;
  policy: { name: string; digest: string };
  build_policy: { name: string; digest: string } | null;
  runtime_layers_digest: string;
  limits_digest: string;
  seed: number;
  gradebox_version: string;
}

export interface GradeResult {
  score: number;
  max_score: number;
  execution_time: number;
  output: string;
  tests: TestResult[];
  verdict: Verdict;
  gradable: boolean;
  provenance: Provenance;
}

/** What students see of a program's own output or a compiler's: capped. */
const FEEDBACK_BYTES = 2048;
const BUILD_LIMITS: Partial<Limits> = { cpuMs: 60_000, wallMs: 120_000, memoryMb: 1024, outputKb: 256, pids: 256 };

const STATUS_VERDICT: Record<Exclude<RunStatus, 'ok'>, Verdict> = {
  runtime_error: 'RE', time_limit: 'TLE', wall_time_limit: 'TLE', memory_limit: 'MLE',
  output_limit: 'OLE', violation: 'SV', internal_error: 'IE',
};

function capped(text: string): string {
  return text.length > FEEDBACK_BYTES ? `${text.slice(0, FEEDBACK_BYTES)}\n[… cut at ${FEEDBACK_BYTES} bytes]` : text;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function testLimits(test: GraderTest): Limits {
  const l = test.limits;
  return resolveLimits({ cpuMs: l.cpuMs, wallMs: l.wallMs, memoryMb: l.memoryMb, outputKb: l.outputKb });
}

/** A single source file becomes a folder holding it; a folder is used as it is. */
function submissionFolder(path: string, scratch: string): string {
  if (statSync(path).isDirectory()) return path;
  const dir = join(scratch, 'submission');
  mkdirSync(dir);
  cpSync(path, join(dir, basename(path)));
  return dir;
}

function verdictOf(run: RunResult, test: GraderTest): { verdict: Verdict; feedback: string } {
  if (run.status !== 'ok') {
    const verdict = STATUS_VERDICT[run.status];
    const detail = verdict === 'SV' ? `forbidden system call ${run.violation?.syscall ?? ''}` : verdict === 'RE' ? capped(run.stderr) : '';
    return { verdict, feedback: detail };
  }
  if (!test.expect) return { verdict: 'AC', feedback: '' };
  const check = compareOutput(test.checker as CheckerName, readFileSync(test.expect, 'utf8'), run.stdout, { tolerance: test.tolerance });
  return { verdict: check.ok ? 'AC' : 'WA', feedback: check.ok ? '' : check.feedback };
}

function testResult(test: GraderTest, verdict: Verdict, feedback: string, run: RunResult | null): TestResult {
  const passed = verdict === 'AC';
  return {
    name: test.name,
    score: passed ? test.points : 0,
    max_score: test.points,
    status: passed ? 'passed' : 'failed',
    // Hidden tests reveal nothing but their score.
    output: test.visibility === 'hidden' ? '' : capped(feedback),
    visibility: test.visibility,
    verdict,
    cpu_ms: run?.cpu_ms ?? 0,
    wall_ms: run?.wall_ms ?? 0,
    memory_kb: run?.memory_kb ?? 0,
  };
}

/** Build output plus the grader's files: what /box holds for every test. */
function testBox(grader: GraderDefinition, built: string, scratch: string, extra: string[], name: string): string {
  if (grader.files.length === 0 && extra.length === 0) return built;
  const box = join(scratch, `box-${name}`);
  cpSync(built, box, { recursive: true, verbatimSymlinks: true });
  for (const file of [...grader.files, ...extra]) cpSync(file, join(box, relative(grader.dir, file)), { dereference: true });
  return box;
}

async function build(plan: LanguagePlan, submission: string, scratch: string, seed: number): Promise<{ dir: string | null; output: string; ie: boolean }> {
  const out = join(scratch, 'built');
  mkdirSync(out);
  if (!plan.build) {
    cpSync(submission, out, { recursive: true, verbatimSymlinks: true });
    return { dir: out, output: '', ie: false };
  }
  const run = await runSandboxed({ argv: plan.build, limits: resolveLimits(BUILD_LIMITS), dir: submission, boxOut: out, policy: plan.buildPolicy, seed });
  if (run.status === 'ok') return { dir: out, output: '', ie: false };
  return { dir: null, output: capped(`${run.stdout}${run.stderr}`) || `the build ended: ${run.status}`, ie: run.status === 'internal_error' };
}

export interface GradeOptions {
  graderDir: string;
  submission: string;
  /** Recorded in the provenance and given to the program as PYTHONHASHSEED and GRADEBOX_SEED. @defaultValue 0 */
  seed?: number;
}

export async function gradeSubmission(options: GradeOptions): Promise<GradeResult> {
  const grader = loadGrader(options.graderDir);
  if (grader.mode !== 'io') throw new UserError('E_GRADER_UNSUPPORTED', `${grader.dir}: harness mode is not supported by this build yet; use tests with expected output`);
  if (grader.tests.some((t) => t.checker === 'custom')) throw new UserError('E_GRADER_UNSUPPORTED', `${grader.dir}: custom checkers are not supported by this build yet; use exact, lines, tokens or float`);
  const seed = options.seed ?? 0;
  const scratch = mkdtempSync(join(tmpdir(), 'gradebox-grade-'));
  const started = performance.now();
  try {
    const submission = submissionFolder(options.submission, scratch);
    const memoryMb = Math.max(...grader.tests.map((t) => t.limits.memoryMb));
    const plan = planFor(grader.language, submission, memoryMb, { build: grader.build, run: grader.run });
    const built = await build(plan, submission, scratch, seed);
    const tests: TestResult[] = [];
    if (!built.dir) {
      for (const test of grader.tests) tests.push(testResult(test, built.ie ? 'IE' : 'CE', '', null));
    } else {
      const pool = new SandboxPool({ layout: defaultLayoutOnce(), scratchKb: scratchKbFor(resolveLimits({ memoryMb })), size: 2 });
      try {
        for (const test of grader.tests) {
          const limits = testLimits(test);
          const dir = testBox(grader, built.dir, scratch, test.files, String(tests.length));
          const prepared = limits.memoryMb === memoryMb ? pool.take() : undefined;
          const run = await runSandboxed({ argv: [...plan.run, ...test.args], limits, dir, stdin: test.stdin, policy: plan.policy, seed, prepared });
          const { verdict, feedback } = verdictOf(run, test);
          tests.push(testResult(test, verdict, feedback, run));
        }
      } finally {
        await pool.close();
      }
    }
    const verdict = tests.find((t) => t.verdict !== 'AC')?.verdict ?? 'AC';
    const policy = installedPolicy(plan.policy);
    const buildPolicy = plan.build ? installedPolicy(plan.buildPolicy) : null;
    return {
      score: tests.reduce((sum, t) => sum + t.score, 0),
      max_score: tests.reduce((sum, t) => sum + t.max_score, 0),
      execution_time: Math.round(performance.now() - started) / 1000,
      output: built.dir ? '' : `Compile error:\n${built.output}`,
      tests,
      verdict,
      gradable: !tests.some((t) => t.verdict === 'IE'),
      provenance: {
        grader_digest: grader.digest,
        policy: { name: policy.name, digest: policy.digest },
        build_policy: buildPolicy ? { name: buildPolicy.name, digest: buildPolicy.digest } : null,
        runtime_layers_digest: defaultLayoutOnce().digest,
        limits_digest: sha256(JSON.stringify(grader.tests.map((t) => [t.name, t.limits]))),
        seed,
        gradebox_version: gradeboxVersion(),
      },
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
