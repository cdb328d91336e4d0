// Grades one submission against one grader: build once in a sandbox, run the tests (stdin/stdout
// tests, each in a fresh sandbox, or the instructor's harness), and write a result that is a
// superset of Gradescope's results.json with the provenance needed to reproduce it.
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

import { config } from '../common/config.js';
import { UserError } from '../common/errors.js';
import { gradeboxVersion } from '../common/version.js';
import type { GradeResult, IncidentNote, Provenance, TestResult } from '../protocol/grade-result.js';
import { elfRuntimeLayout } from '../sandbox/elf-runtime.js';
import type { RootLayout } from '../sandbox/layers.js';
import { defaultLayoutOnce } from '../sandbox/sandbox.js';
import { installedPolicy } from '../sandbox/seccomp-program.js';
import { buildSubmission, type BuildOutcome } from './build-step.js';
import { testResult } from './grade-result.js';
import type { GraderDefinition } from './grader-definition.js';
import { runHarnessTests } from './harness-tests.js';
import { runInteractiveTests } from './interactive-tests.js';
import { runIoTests } from './io-tests.js';
import { planFor, type LanguagePlan } from './languages/plan.js';
import { loadGrader } from './load-grader.js';
import { newRunContext, type RunContext, type TestDone } from './run-context.js';
import { submissionPlan } from './submission-language.js';
import type { SpareCpus } from './test-schedule.js';
import { isGradable, overallVerdict, unbuiltVerdict } from './verdicts.js';

export type { GradeResult, TestResult, Verdict } from '../protocol/grade-result.js';

export interface GradeOptions {
  graderDir: string;
  submission: string;
  /** Recorded in the provenance and given to the program as PYTHONHASHSEED and GRADEBOX_SEED. @defaultValue 0 */
  seed?: number | undefined;
  /** CPUs every run is pinned to (a worker's slot), e.g. "1". @defaultValue no pin */
  cpuset?: string | undefined;
  /**
   * Idle CPU slots the tests may borrow while they are idle, to run several tests at once (each
   * still in its own sandbox, its CPU time its own). @defaultValue none: one test at a time
   */
  spareCpus?: SpareCpus | undefined;
  /** Where the grading's temporary folder goes (a worker's job folder, swept after a crash). @defaultValue the OS temp dir */
  scratchDir?: string | undefined;
  /** The entry file the submission names (a top-level file of it); a grader's `entry:` wins. @defaultValue the language's rule */
  entry?: string | undefined;
  /** Told of each stdin/stdout test as soon as it is judged. */
  onTest?: TestDone | undefined;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A single source file becomes a folder holding it; a folder is used as it is. */
function submissionFolder(path: string, scratch: string): string {
  if (statSync(path).isDirectory()) return path;
  const dir = join(scratch, 'submission');
  mkdirSync(dir);
  cpSync(path, join(dir, basename(path)));
  return dir;
}

interface TestsOutcome {
  tests: TestResult[];
  output: string;
  incidents: IncidentNote[];
  problems: string[];
}

/** Every test fails with the build's verdict: CE, or IE when the sandbox failed. */
function unbuilt(grader: GraderDefinition, built: BuildOutcome): TestsOutcome {
  const verdict = unbuiltVerdict(built);
  const specs = grader.harness ? [{ name: 'harness', points: grader.harness.maxScore, visibility: 'visible' }] : grader.tests;
  return {
    tests: specs.map((t) => testResult(t, verdict, '', null)),
    output: `Compile error:\n${built.output}`,
    incidents: [],
    problems: built.internalError ? [`build: ${built.output}`] : [],
  };
}

/** Compiled programs run on a layer of just their loader and libraries; the rest on the default root. */
function runtimeLayout(plan: LanguagePlan, built: string): RootLayout {
  return plan.elfBinary ? elfRuntimeLayout(join(built, plan.elfBinary), join(config().stateDir, 'layers')) : defaultLayoutOnce();
}

async function runTests(grader: GraderDefinition, plan: LanguagePlan, built: string, layout: RootLayout, scratch: string, context: RunContext): Promise<TestsOutcome> {
  if (grader.harness) return runHarnessTests(grader, plan, built, layout, scratch, context);
  const io = grader.interactor
    ? await runInteractiveTests({ grader, plan, built, layout, scratch, context })
    : await runIoTests({ grader, plan, built, layout, scratch, context });
  return { ...io, output: '' };
}

/** The tests of a build, on the root layout its runs need. */
async function testBuilt(grader: GraderDefinition, plan: LanguagePlan, built: BuildOutcome, scratch: string, context: RunContext): Promise<{ outcome: TestsOutcome; layout: RootLayout }> {
  if (!built.dir) return { outcome: unbuilt(grader, built), layout: defaultLayoutOnce() };
  let layout: RootLayout;
  try {
    layout = runtimeLayout(plan, built.dir);
  } catch (error) {
    // A binary whose loader or libraries cannot be provided is the student's build problem.
    if (!(error instanceof UserError && error.code.startsWith('E_ELF_'))) throw error;
    return { outcome: unbuilt(grader, { dir: null, output: error.message, internalError: false }), layout: defaultLayoutOnce() };
  }
  return { outcome: await runTests(grader, plan, built.dir, layout, scratch, context), layout };
}

function provenance(grader: GraderDefinition, plan: LanguagePlan, layout: RootLayout, options: GradeOptions): Provenance {
  const policy = installedPolicy(plan.policy);
  const buildPolicy = plan.build ? installedPolicy(plan.buildPolicy) : null;
  const limits = grader.harness ? [['harness', grader.limits]] : grader.tests.map((t) => [t.name, t.limits]);
  return {
    grader_digest: grader.digest,
    language: plan.language,
    grader_dir: grader.dir,
    policy: { name: policy.name, digest: policy.digest },
    build_policy: buildPolicy ? { name: buildPolicy.name, digest: buildPolicy.digest } : null,
    runtime_layers_digest: layout.digest,
    limits_digest: sha256(JSON.stringify(limits)),
    seed: options.seed ?? 0,
    entry: options.entry ?? null,
    gradebox_version: gradeboxVersion(),
  };
}

export async function gradeSubmission(options: GradeOptions): Promise<GradeResult> {
  const grader = loadGrader(options.graderDir);
  const seed = options.seed ?? 0;
  const scratch = mkdtempSync(join(options.scratchDir ?? tmpdir(), 'gradebox-grade-'));
  const started = performance.now();
  try {
    const submission = submissionFolder(options.submission, scratch);
    const memoryMb = Math.max(grader.limits.memoryMb, ...grader.tests.map((t) => t.limits.memoryMb));
    const plan = submissionPlan(grader, submission, memoryMb, { build: grader.build, run: grader.run, entry: grader.entry ?? options.entry });
    const context = newRunContext(seed, options.cpuset, options.spareCpus, options.onTest);
    const built = await buildSubmission(plan, submission, scratch, context);
    const { outcome, layout } = await testBuilt(grader, plan, built, scratch, context);
    const { tests } = outcome;
    return {
      score: tests.reduce((sum, t) => sum + t.score, 0),
      max_score: tests.reduce((sum, t) => sum + t.max_score, 0),
      execution_time: Math.round(performance.now() - started) / 1000,
      output: outcome.output,
      tests,
      verdict: overallVerdict(tests),
      gradable: isGradable(tests),
      provenance: provenance(grader, plan, layout, options),
      incidents: outcome.incidents,
      internal_problems: outcome.problems,
      sandbox_launch_ms: context.launchMs,
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
