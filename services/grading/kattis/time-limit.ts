// A Kattis problem's time limit: declared by the package (DOMjudge's `.timelimit` file, or
// problem.yaml's `limits.time_limit` from 2023-07 on), or else made from its slowest accepted
// submission × the package's multiplier: legacy `limits.time_multiplier` (default 5) rounded to
// whole seconds (at least 1), as problemtools does; later `limits.time_multipliers.ac_to_time_limit`
// (default 2) rounded up to a multiple of `time_resolution` (default 1 s), as the 2025-09 format says.
import { UserError } from '../../common/errors.js';
import { readText } from './package-files.js';
import type { KattisProblem } from './problem-yaml.js';

export interface TimeLimit {
  seconds: number;
  /** Where it came from, for people: `.timelimit`, `problem.yaml limits.time_limit`, ... */
  from: string;
}

/** What the package says, or undefined when its accepted submissions must be timed. */
export function declaredTimeLimit(root: string, problem: KattisProblem): TimeLimit | undefined {
  const file = readText(root, '.timelimit');
  if (file !== null) {
    const seconds = Number(file.trim());
    if (!Number.isFinite(seconds) || seconds <= 0) throw new UserError('E_KATTIS_INVALID', `${root}/.timelimit: expected a number of seconds such as 2 or 1.5, got "${file.trim()}"`);
    return { seconds, from: '.timelimit' };
  }
  if (problem.limits.time_limit !== undefined) return { seconds: problem.limits.time_limit, from: 'problem.yaml limits.time_limit' };
  return undefined;
}

/** The time limit the slowest accepted submission (CPU time of its slowest test, ms) calls for. */
export function measuredTimeLimit(problem: KattisProblem, slowestMs: number): TimeLimit {
  const slowest = slowestMs / 1000;
  if (problem.legacy) {
    const multiplier = problem.limits.time_multiplier ?? 5;
    return { seconds: Math.max(1, Math.round(slowest * multiplier)), from: `the slowest accepted submission (${slowest} s) × time_multiplier ${multiplier}` };
  }
  const multiplier = problem.limits.time_multipliers?.ac_to_time_limit ?? 2;
  const resolution = problem.limits.time_resolution ?? 1;
  const seconds = Math.max(1, Math.ceil((slowest * multiplier) / resolution - 1e-9)) * resolution;
  return { seconds, from: `the slowest accepted submission (${slowest} s) × ac_to_time_limit ${multiplier}` };
}
