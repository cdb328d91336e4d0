// A grader's own program (a custom checker, an interactor) made ready to run. A command with its
// files is copied into a fresh folder per grading; a program folder (`dir`) is built once per
// grader digest, in a sandbox as a submission in its language would be, and kept under the state
// folder, so every test and every later grading of that grader reuses the one build.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { config } from '../common/config.js';
import { UserError } from '../common/errors.js';
import { buildSubmission } from './build-step.js';
import type { GraderProgram } from './grader-definition.js';
import { planFor } from './languages/plan.js';
import { policyForProgram, type Language } from './languages/registry.js';
import type { RunContext } from './run-context.js';
import { copyGraderFiles } from './test-box.js';

/** What a ready program's run needs: its /box folder, its command and its seccomp policy. */
export interface ReadyProgram {
  box: string;
  run: string[];
  policy: string;
}

/** A ready program, or why it could not be built (the grader's fault: the tests become IE). */
export type ProgramReady = { ready: ReadyProgram; failed?: undefined } | { failed: string; ready?: undefined };

/** A grader's program gets the memory of a checker for its build's plan (a JVM's heap). */
const PROGRAM_MEMORY_MB = 512;

/** Builds finished or under way in this process, by cache folder: tests that start together share one. */
const building = new Map<string, Promise<ProgramReady>>();

/** `role` names the program within its grader (custom_checker, interactor). */
export async function readyProgram(program: GraderProgram, role: string, graderDigest: string, scratch: string, context: RunContext): Promise<ProgramReady> {
  if (program.language === undefined) {
    const box = copyGraderFiles(program.files, program.root, scratch, role);
    return { ready: { box, run: program.run!, policy: policyForProgram(program.run![0]!) } };
  }
  const cache = join(config().stateDir, 'programs', `${graderDigest}-${role}`);
  let ready = building.get(cache);
  if (!ready) {
    ready = builtOnce(program, program.language, cache, context);
    building.set(cache, ready);
    // A failed build is not kept: the next grading tries again (the sandbox may have failed).
    void ready.then((outcome) => { if (outcome.failed !== undefined) building.delete(cache); });
  }
  return ready;
}

interface CachedPlan { run: string[]; policy: string }

function fromCache(cache: string): ProgramReady | null {
  const planFile = join(cache, 'plan.json');
  if (!existsSync(planFile)) return null;
  const plan = JSON.parse(readFileSync(planFile, 'utf8')) as CachedPlan;
  return { ready: { box: join(cache, 'built'), run: plan.run, policy: plan.policy } };
}

/** The cached build, or a new one: built in a folder beside the cache and renamed into place, so a
 * process that looks finds a whole build or none (another process building too is harmless). */
async function builtOnce(program: GraderProgram, language: Language, cache: string, context: RunContext): Promise<ProgramReady> {
  const cached = fromCache(cache);
  if (cached) return cached;
  mkdirSync(join(cache, '..'), { recursive: true, mode: 0o700 });
  const work = mkdtempSync(`${cache}.building-`);
  try {
    const source = copyGraderFiles(program.files, program.root, work, 'source');
    let plan;
    try {
      plan = planFor(language, source, PROGRAM_MEMORY_MB, { run: program.run });
    } catch (error) {
      if (error instanceof UserError) return { failed: error.message };
      throw error;
    }
    const built = await buildSubmission(plan, source, work, context);
    if (!built.dir) return { failed: `it did not build: ${built.output}` };
    writeFileSync(join(work, 'plan.json'), JSON.stringify({ run: plan.run, policy: plan.policy } satisfies CachedPlan));
    rmSync(source, { recursive: true, force: true });
    try {
      renameSync(work, cache);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error; // another process finished first: take its build
    }
    return fromCache(cache)!;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
