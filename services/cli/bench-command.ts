// `gradebox bench`: the sandbox, the grading pipeline and the service, each next to doing the same
// work without gradebox, measured in one run (services/bench/). It passes or fails nothing.
import { cpus } from 'node:os';

import { benchGrading } from '../bench/grading-bench.js';
import { benchSandbox } from '../bench/sandbox-bench.js';
import { postgresBinDir } from '../bench/private-postgres.js';
import { benchService } from '../bench/service-bench.js';
import { integerFlag, parseFlags } from './args.js';

export async function benchCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, { json: { type: 'boolean' }, runs: { type: 'string' } });
  const runs = integerFlag('--runs', values.runs) ?? 200;
  const report = await benchSandbox(runs);
  const grading = await benchGrading();
  const service = await benchService();
  // The same service with its store in PostgreSQL, where it is installed (as the tests, it needs no running server).
  const servicePostgres = postgresBinDir() === null ? null : await benchService(undefined, undefined, undefined, 'postgres');
  const output = { runs, cpus: cpus().length, results: report, grading, service, service_postgres: servicePostgres };
  if (values.json) process.stdout.write(JSON.stringify(output, null, 2) + '\n');
  else for (const [key, row] of Object.entries({ ...report, grading, service, service_postgres: servicePostgres })) process.stdout.write(`${key}: ${JSON.stringify(row)}\n`);
  return 0;
}
