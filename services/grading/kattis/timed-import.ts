// The whole import of a Kattis package, timing included: when the package declares no time limit
// (a legacy one without DOMjudge's .timelimit), its accepted submissions are graded with a
// provisional limit through the real pipeline, and the grader is written again with the limit the
// slowest of them calls for. Needs the sandbox (root), unlike importKattisPackage alone.
import { rmSync } from 'node:fs';

import { UserError } from '../../common/errors.js';
import { gradeSubmission } from '../grade.js';
import { selfTestPrograms } from '../self-test-programs.js';
import { importKattisPackage, PROVISIONAL_TIME_LIMIT, type KattisImport, type KattisImportOptions } from './kattis-import.js';
import { measuredTimeLimit } from './time-limit.js';

/** CPU time of the slowest test of the slowest accepted submission, ms. */
export async function slowestAcceptedMs(graderDir: string): Promise<number> {
  const accepted = selfTestPrograms(graderDir).filter((p) => p.name.startsWith('accepted/'));
  if (accepted.length === 0) {
    throw new UserError('E_KATTIS_NO_TIME_LIMIT', `${graderDir}: the package declares no time limit and has no submissions/accepted/ program to time; give --time-limit SECONDS`);
  }
  let slowest = 0;
  for (const program of accepted) {
    const result = await gradeSubmission({ graderDir, submission: program.path });
    if (result.verdict !== 'AC') {
      throw new UserError('E_KATTIS_NO_TIME_LIMIT', `${program.name} got ${result.verdict}, not AC, with a ${PROVISIONAL_TIME_LIMIT.seconds} s limit, so it cannot set the time limit; fix the package, or give --time-limit SECONDS`);
    }
    slowest = Math.max(slowest, ...result.tests.map((t) => t.cpu_ms));
  }
  return slowest;
}

/** importKattisPackage, then the accepted submissions timed when the package declares no limit. */
export async function importKattis(packageDir: string, outDir: string, options: KattisImportOptions = {}): Promise<KattisImport> {
  const first = importKattisPackage(packageDir, outDir, options);
  if (first.timeLimit) return first;
  const timeLimit = measuredTimeLimit(first.problem, await slowestAcceptedMs(outDir));
  rmSync(outDir, { recursive: true, force: true }); // ours: it was missing or empty before the import
  return importKattisPackage(packageDir, outDir, { ...options, timeLimit });
}
