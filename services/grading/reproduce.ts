// Re-grades a submission under a recorded result's provenance (its seed, its entry file) and reports every difference:
// first in what produced the result (grader, policy, layers, limits, version), then test by test.
import { readFileSync } from 'node:fs';
import { z } from 'zod';

import { UserError } from '../common/errors.js';
import { gradeSubmission, type GradeResult } from './grade.js';

/** The part of a recorded result that reproduction needs; anything else in the file is ignored. */
const recordedSchema = z.object({
  verdict: z.string(),
  score: z.number(),
  tests: z.array(z.object({ name: z.string(), verdict: z.string(), score: z.number(), output: z.string() })),
  provenance: z.object({
    grader_digest: z.string(),
    grader_dir: z.string().optional(),
    policy: z.object({ name: z.string(), digest: z.string() }),
    build_policy: z.object({ name: z.string(), digest: z.string() }).nullable(),
    runtime_layers_digest: z.string(),
    limits_digest: z.string(),
    seed: z.number().int(),
    entry: z.string().nullable().optional(),
    gradebox_version: z.string(),
  }),
});
type Recorded = z.infer<typeof recordedSchema>;

export interface Difference {
  /** `provenance.policy.digest`, `tests[3].verdict`, … */
  field: string;
  recorded: unknown;
  now: unknown;
}

export interface Reproduction {
  identical: boolean;
  /** What produced the result differs: the re-run is not under the same conditions. */
  provenance: Difference[];
  /** Differences in what students see, test by test (timings are never compared). */
  tests: Difference[];
  result: GradeResult;
}

export function readRecordedResult(path: string): Recorded {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UserError('E_RESULT_INVALID', `${path}: not a readable JSON result (${error instanceof Error ? error.message : String(error)})`);
  }
  const parsed = recordedSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UserError('E_RESULT_INVALID', `${path}: not a gradebox result: ${issue.path.join('.') || '(top)'}: ${issue.message}; give the JSON that gradebox grade --json printed`);
  }
  return parsed.data;
}

function provenanceDifferences(recorded: Recorded['provenance'], now: GradeResult['provenance']): Difference[] {
  const pairs: Array<[string, unknown, unknown]> = [
    ['grader_digest', recorded.grader_digest, now.grader_digest],
    ['policy', recorded.policy, now.policy],
    ['build_policy', recorded.build_policy, now.build_policy],
    ['runtime_layers_digest', recorded.runtime_layers_digest, now.runtime_layers_digest],
    ['limits_digest', recorded.limits_digest, now.limits_digest],
    ['gradebox_version', recorded.gradebox_version, now.gradebox_version],
  ];
  return pairs.filter(([, a, b]) => JSON.stringify(a) !== JSON.stringify(b)).map(([field, a, b]) => ({ field: `provenance.${field}`, recorded: a, now: b }));
}

function testDifferences(recorded: Recorded, now: GradeResult): Difference[] {
  const differences: Difference[] = [];
  const current = new Map(now.tests.map((t) => [t.name, t]));
  for (const test of recorded.tests) {
    const again = current.get(test.name);
    if (!again) {
      differences.push({ field: `tests[${test.name}]`, recorded: test.verdict, now: 'missing' });
      continue;
    }
    current.delete(test.name);
    for (const key of ['verdict', 'score', 'output'] as const) {
      if (test[key] !== again[key]) differences.push({ field: `tests[${test.name}].${key}`, recorded: test[key], now: again[key] });
    }
  }
  for (const name of current.keys()) differences.push({ field: `tests[${name}]`, recorded: 'missing', now: current.get(name)!.verdict });
  if (recorded.verdict !== now.verdict) differences.push({ field: 'verdict', recorded: recorded.verdict, now: now.verdict });
  if (recorded.score !== now.score) differences.push({ field: 'score', recorded: recorded.score, now: now.score });
  return differences;
}

export async function reproduce(recorded: Recorded, options: { graderDir?: string | undefined; submission: string; cpuset?: string | undefined }): Promise<Reproduction> {
  const graderDir = options.graderDir ?? recorded.provenance.grader_dir;
  if (!graderDir) throw new UserError('E_USAGE', 'the result does not say where its grader was: give --grader DIR');
  const { seed, entry } = recorded.provenance;
  const result = await gradeSubmission({ graderDir, submission: options.submission, seed, entry: entry ?? undefined, cpuset: options.cpuset });
  const provenance = provenanceDifferences(recorded.provenance, result.provenance);
  const tests = testDifferences(recorded, result);
  return { identical: provenance.length === 0 && tests.length === 0, provenance, tests, result };
}
