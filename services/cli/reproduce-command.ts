// `gradebox reproduce RESULT.json --submission PATH [--grader DIR] [--json]`: re-grades under the
// recorded seed and grader and reports any difference test by test. Exit 0: reproduced
// identically; 3: something differs; 2: bad usage.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

import { UsageError } from '../common/errors.js';
import { readRecordedResult, reproduce, type Difference } from '../grading/reproduce.js';
import { parseFlags } from './args.js';

export const DIFFERENT_EXIT_CODE = 3;

function shown(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function printDifferences(title: string, differences: Difference[], print: (text: string) => void): void {
  if (differences.length === 0) return;
  print(`${title}:\n`);
  for (const d of differences) print(`  ${d.field}: recorded ${shown(d.recorded)}, now ${shown(d.now)}\n`);
}

export async function reproduceCommand(argv: string[], print: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  const { values, positionals } = parseFlags(argv, { submission: { type: 'string' }, grader: { type: 'string' }, json: { type: 'boolean' } }, true);
  if (positionals.length !== 1) throw new UsageError('usage: gradebox reproduce RESULT.json --submission PATH [--grader DIR] [--json]');
  if (!values.submission) throw new UsageError('missing --submission PATH (the submission the result was made from)');
  const resultPath = resolve(positionals[0]!);
  if (!existsSync(resultPath)) throw new UsageError(`${positionals[0]}: no such result file`);
  const submission = resolve(values.submission);
  if (!existsSync(submission)) throw new UsageError(`--submission ${values.submission}: no such file or folder`);
  const graderDir = values.grader ? resolve(values.grader) : undefined;
  if (graderDir && !existsSync(`${graderDir}/grader.yaml`)) throw new UsageError(`--grader ${values.grader}: no grader.yaml there`);

  const outcome = await reproduce(readRecordedResult(resultPath), { graderDir, submission });
  if (values.json) {
    print(JSON.stringify({ identical: outcome.identical, provenance: outcome.provenance, tests: outcome.tests }, null, 2) + '\n');
  } else {
    printDifferences('produced differently', outcome.provenance, print);
    printDifferences('graded differently', outcome.tests, print);
    print(outcome.identical ? `reproduced: ${outcome.result.verdict} ${outcome.result.score}/${outcome.result.max_score}, identical apart from timings\n` : 'not reproduced\n');
  }
  return outcome.identical ? 0 : DIFFERENT_EXIT_CODE;
}
