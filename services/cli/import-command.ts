// `gradebox import kattis PACKAGE_DIR --out DIR [--time-limit S] [--time-multiplier M]`: a Kattis
// problem package becomes a grader folder. `gradebox import humaneval|mbpp --data FILE (--task ID |
// --all) --out DIR`: turns tasks of a dataset into harness-mode grader folders (one per task with --all).
import { join, resolve } from 'node:path';

import { UsageError } from '../common/errors.js';
import { emptyFolder, writeHarnessGrader, type HarnessGraderSpec } from '../grading/datasets/harness-grader-folder.js';
import { findHumanEvalTask, humanEvalGrader, readHumanEval } from '../grading/datasets/humaneval.js';
import { findMbppTask, mbppGrader, readMbpp } from '../grading/datasets/mbpp.js';
import { importKattis } from '../grading/kattis/timed-import.js';
import { parseFlags } from './args.js';

const HELP = `usage: gradebox import kattis PACKAGE_DIR --out DIR [--time-limit SECONDS] [--time-multiplier M]
       gradebox import humaneval --data HumanEval.jsonl.gz (--task ID | --all) --out DIR
       gradebox import mbpp --data mbpp.jsonl (--task ID | --all) --out DIR

kattis: a problem package in the Kattis format (problem.yaml, data/sample, data/secret,
output_validators/, submissions/) becomes the grader folder DIR: samples visible, secret cases
hidden, the default validator's flags as checker options, a custom output validator or interactor
built once in the sandbox, the package's limits, submissions/ as the self-test (gradebox grader test).
  --time-limit S        seconds per test, instead of the package's (.timelimit, problem.yaml
                        limits.time_limit; when it has neither, its accepted submissions are timed)
  --time-multiplier M   the package's time limit × M on this host (default 1)

  --data FILE   the dataset (JSON lines, gzip-compressed or not)
  --task ID     one task: HumanEval/0 (or 0) for humaneval, a task_id such as 2 for mbpp;
                DIR becomes its grader folder
  --all         every task: one folder per task under DIR (humaneval-0, mbpp-2, ...)
  --out DIR     where to write; a folder that is written to must be missing or empty

Each folder is a harness-mode grader (language python): grader.yaml, run_tests.py, tests.py,
README.md and reference/solution.py. Submissions are one file, solution.py.
`;

type Print = (text: string) => void;

interface Dataset {
  /** Every task, as grader specs. */
  all: (data: string) => HarnessGraderSpec[];
  one: (data: string, id: string) => HarnessGraderSpec;
}

const DATASETS: Record<string, Dataset> = {
  humaneval: {
    all: (data) => readHumanEval(data).map(humanEvalGrader),
    one: (data, id) => humanEvalGrader(findHumanEvalTask(readHumanEval(data), id)),
  },
  mbpp: {
    all: (data) => readMbpp(data).map(mbppGrader),
    one: (data, id) => mbppGrader(findMbppTask(readMbpp(data), id)),
  },
};

export async function importCommand(argv: string[], print: Print = (text) => void process.stdout.write(text)): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    data: { type: 'string' }, task: { type: 'string' }, all: { type: 'boolean' }, out: { type: 'string' },
    'time-limit': { type: 'string' }, 'time-multiplier': { type: 'string' }, help: { type: 'boolean', short: 'h' },
  }, true);
  if (values.help) {
    print(HELP);
    return 0;
  }
  const [name, ...extra] = positionals;
  if (name === 'kattis') return importKattisCommand(extra, values, print);
  const dataset = name === undefined ? undefined : DATASETS[name];
  if (!dataset || extra.length > 0) throw new UsageError(`expected kattis PACKAGE_DIR, humaneval or mbpp\n\n${HELP}`);
  if (!values.data) throw new UsageError(`missing --data FILE (the ${name} dataset)`);
  if (!values.out) throw new UsageError('missing --out DIR (where the grader folders go)');
  if ((values.task === undefined) === (values.all !== true)) throw new UsageError('give either --task ID or --all');
  const out = resolve(values.out);
  if (values.task !== undefined) {
    const spec = dataset.one(resolve(values.data), values.task);
    writeHarnessGrader(out, spec);
    print(`wrote ${out}: ${spec.title}\n`);
    return 0;
  }
  const specs = dataset.all(resolve(values.data));
  emptyFolder(out);
  for (const spec of specs) writeHarnessGrader(join(out, spec.slug), spec);
  print(`wrote ${specs.length} grader folders under ${out}\n`);
  return 0;
}

function positiveNumber(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!/^\d*\.?\d+$/.test(value) || !(number > 0)) throw new UsageError(`${flag} needs a number above 0, such as 2 or 1.5, got "${value}"`);
  return number;
}

async function importKattisCommand(positionals: string[], values: Record<string, string | boolean | undefined>, print: Print): Promise<number> {
  if (positionals.length !== 1) throw new UsageError(`expected one PACKAGE_DIR after kattis\n\n${HELP}`);
  if (typeof values.out !== 'string') throw new UsageError('missing --out DIR (where the grader folder goes)');
  const seconds = positiveNumber('--time-limit', values['time-limit'] as string | undefined);
  const imported = await importKattis(resolve(positionals[0]!), resolve(values.out), {
    timeLimit: seconds === undefined ? undefined : { seconds, from: '--time-limit' },
    timeMultiplier: positiveNumber('--time-multiplier', values['time-multiplier'] as string | undefined),
  });
  const kind = imported.problem.interactive ? 'interactive' : imported.problem.customValidation ? 'custom output validator' : 'default output validator';
  print(`wrote ${imported.graderDir}: "${imported.problem.name}", ${imported.tests} tests, ${kind}, ${imported.timeLimit!.seconds} s (${imported.timeLimit!.from})\n`);
  if (imported.droppedLanguages.length) print(`left out languages gradebox does not have: ${imported.droppedLanguages.join(', ')}\n`);
  print(`next: gradebox grader test ${imported.graderDir}\n`);
  return 0;
}
