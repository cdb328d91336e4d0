// The build step: compiles (or checks) a submission once, in its own sandbox, and hands back /box.
import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { resolveLimits, type Limits } from '../sandbox/limits.js';
import { capped } from './grade-result.js';
import type { LanguagePlan } from './languages.js';
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

export async function buildSubmission(plan: LanguagePlan, submission: string, scratch: string, context: RunContext): Promise<BuildOutcome> {
  const out = join(scratch, 'built');
  mkdirSync(out);
  if (!plan.build) {
    cpSync(submission, out, { recursive: true, verbatimSymlinks: true });
    return { dir: out, output: '', internalError: false };
  }
  const limits = resolveLimits({ ...BUILD_LIMITS, cpuset: context.cpuset });
  const run = await runInContext(context, { argv: plan.build, limits, dir: submission, boxOut: out, policy: plan.buildPolicy });
  if (run.status === 'ok') return { dir: out, output: '', internalError: false };
  return { dir: null, output: capped(`${run.stdout}${run.stderr}`) || `the build ended: ${run.status}`, internalError: run.status === 'internal_error' };
}
