// `gradebox grade --grader DIR --submission PATH [--entry FILE] [--json] [--seed N] [--cpus LIST]`:
// grades one submission locally, with no Redis, through the same pipeline the workers use; its
// tests run on the CPUs of --cpus (default: every CPU of this process), one slot per CPU, as a
// worker's would. A fault of the submission (no source, no entry point) is its verdict (CE).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

import { UsageError } from '../common/errors.js';
import { gradeSubmission, type GradeResult } from '../grading/grade.js';
import { CpuSlots, defaultCpus, parseCpuList } from '../worker/cpu-slots.js';
import { integerFlag, parseFlags } from './args.js';

function printHuman(result: GradeResult, print: (text: string) => void): void {
  if (result.output) print(`${result.output}\n`);
  for (const t of result.tests) {
    print(`${(t.verdict ?? '--').padEnd(3)} ${t.name.padEnd(24)} ${t.score}/${t.max_score}  ${t.cpu_ms} ms  ${t.memory_kb} KiB${t.output ? `  ${t.output.split('\n')[0]}` : ''}\n`);
  }
  print(`${result.verdict}: ${result.score}/${result.max_score}${result.gradable ? '' : ' (not gradable: the sandbox failed)'}\n`);
}

export async function gradeCommand(argv: string[], print: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  const { values } = parseFlags(argv, {
    grader: { type: 'string' }, submission: { type: 'string' }, entry: { type: 'string' }, json: { type: 'boolean' }, seed: { type: 'string' }, cpus: { type: 'string' },
  });
  if (!values.grader) throw new UsageError('missing --grader DIR (a folder with grader.yaml)');
  if (!values.submission) throw new UsageError('missing --submission PATH (a source file or a folder)');
  const graderDir = resolve(values.grader);
  const submission = resolve(values.submission);
  if (!existsSync(`${graderDir}/grader.yaml`)) throw new UsageError(`--grader ${values.grader}: no grader.yaml there`);
  if (!existsSync(submission)) throw new UsageError(`--submission ${values.submission}: no such file or folder`);
  const cpus = values.cpus === undefined ? defaultCpus() : parseCpuList(values.cpus);
  const slots = new CpuSlots(cpus, cpus.length);
  const result = await gradeSubmission({ graderDir, submission, seed: integerFlag('--seed', values.seed), cpuset: slots.tryAcquire(), spareCpus: slots.asSpare(), entry: values.entry });
  if (values.json) print(JSON.stringify(result, null, 2) + '\n');
  else printHuman(result, print);
  return 0;
}
