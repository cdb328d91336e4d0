// The build step: compiles (or checks) a submission once, in its own sandbox, and hands back /box.
import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { UserError } from '../common/errors.js';
import { BOX_INPUT_ERRORS } from '../sandbox/launcher.js';
import { resolveLimits, type Limits } from '../sandbox/limits.js';
import type { RunResult } from '../sandbox/sandbox.js';
import { capped } from './grade-result.js';
import type { LanguagePlan } from './languages/plan.js';
import { runInContext, type RunContext } from './run-context.js';

/** A compiler gets more room than a test: it is the instructor's toolchain, not the student's program. */
const BUILD_LIMITS: Partial<Limits> = { cpuMs: 60_000, wallMs: 120_000, memoryMb: 1024, outputKb: 256, pids: 256 };

export interface BuildOutcome {
  /** The folder every test starts from; null when the build failed. */
  dir: string | null;
  /** The compiler's output, capped, when the build failed. */
  output: string;
  /** The sandbox itself failed: not the student's fault. */
  internalError: boolean;
}

const BOX_ERROR_CODES = new Set(Object.values(BOX_INPUT_ERRORS).map((e) => e.code));

function isBoxInputError(error: unknown): error is UserError {
  return error instanceof UserError && BOX_ERROR_CODES.has(error.code);
}

export async function buildSubmission(plan: LanguagePlan, submission: string, scratch: string, context: RunContext): Promise<BuildOutcome> {
  // A fault of the submission is its compile error: told at once when there is nothing to build,
  // else after the build, whose own errors come first.
  const fault: BuildOutcome | null = plan.fault === null ? null : { dir: null, output: plan.fault, internalError: false };
  if (fault && !plan.build) return fault;
  const out = join(scratch, 'built');
  mkdirSync(out);
  if (!plan.build) {
    cpSync(submission, out, { recursive: true, verbatimSymlinks: true });
    return { dir: out, output: '', internalError: false };
  }
  const limits = resolveLimits({ ...BUILD_LIMITS, cpuset: context.cpuset });
  let run: RunResult;
  try {
    run = await runInContext(context, { argv: plan.build, limits, dir: submission, boxOut: out, policy: plan.buildPolicy, env: { ...plan.buildEnv } });
  } catch (error) {
    // The submission does not fit in /box, or the build left more there than can come back (too
    // much, too deep): the student's build problem, told as a compile error, never retried.
    if (isBoxInputError(error)) return { dir: null, output: error.message, internalError: false };
    throw error;
  }
  if (run.status === 'ok') return fault ?? { dir: out, output: '', internalError: false };
  return { dir: null, output: capped(`${run.stdout}${run.stderr}`) || `the build ended: ${run.status}`, internalError: run.status === 'internal_error' };
}
