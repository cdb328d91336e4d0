// `gradebox bench`: the sandbox, the grading pipeline and the service, each next to doing the same
// work without gradebox, measured in one run (services/bench/). It passes or fails nothing: each
// target is printed with its figure and whether this run met it.
import { cpus as osCpus } from 'node:os';

import { benchGrading } from '../bench/grading-bench.js';
import { benchSandbox } from '../bench/sandbox-bench.js';
import { postgresBinDir } from '../bench/private-postgres.js';
import { benchService } from '../bench/service-bench.js';
import { benchThroughput, throughputTargets } from '../bench/throughput-bench.js';
import { defaultCpus } from '../worker/cpu-slots.js';
import { integerFlag, parseFlags } from './args.js';

export async function benchCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, { json: { type: 'boolean' }, runs: { type: 'string' } });
  const runs = integerFlag('--runs', values.runs) ?? 200;
  const cpus = defaultCpus();
  const report = await benchSandbox(runs);
  // Cost per run from batches of runs and 5 × runs, one and two at a time.
  const throughput = await benchThroughput(runs, runs * 5, cpus);
  const grading = await benchGrading(cpus);
  const service = await benchService();
  // The same service with its store in PostgreSQL, where it is installed (as the tests, it needs no running server).
  const servicePostgres = postgresBinDir() === null ? null : await benchService(undefined, undefined, undefined, 'postgres');
  const targets = {
    ...throughputTargets(throughput),
    c_40_tests_over_bare: { value: grading.ratio_gradebox_to_bare, target: '<= 1.4', met: grading.ratio_gradebox_to_bare <= 1.4 },
    c_40_tests_two_slots_over_one: { value: grading.ratio_two_slots_to_one, target: '<= 0.65', met: grading.ratio_two_slots_to_one <= 0.65 },
  };
  const output = { runs, cpus: osCpus().length, results: report, throughput, grading, service, service_postgres: servicePostgres, targets };
  if (values.json) process.stdout.write(JSON.stringify(output, null, 2) + '\n');
  else for (const [key, row] of Object.entries({ ...report, ...throughput, grading, service, service_postgres: servicePostgres, ...targets })) process.stdout.write(`${key}: ${JSON.stringify(row)}\n`);
  return 0;
}
