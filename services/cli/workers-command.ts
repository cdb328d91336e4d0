// `gradebox workers token create [--data DIR]`: the worker token of a data folder, alone on the last
// line: what `gradebox worker --token-file` reads on a grading host. The API makes it on its first
// start; this makes it first when the API has not run yet. There is one token per installation
// (the API signs every job with a key derived from it, services/queue/job-signature.ts), so a second
// create shows the same token rather than a new one that would orphan the queued jobs; API replicas
// share it by sharing the data folder's worker-token file.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

import { config } from '../common/config.js';
import { UsageError } from '../common/errors.js';
import { dropToServiceUser } from '../account/privileges.js';
import { ensureWorkerToken, workerTokenFile } from '../api/api-service.js';
import { parseFlags } from './args.js';

const USAGE = 'usage: gradebox workers token create [--data DIR]';

export async function workersCommand(argv: string[], print: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  const [noun, action, ...rest] = argv;
  if (noun !== 'token' || action !== 'create') throw new UsageError(USAGE);
  const { values } = parseFlags(rest, { data: { type: 'string' } });
  const dataDir = resolve(values.data ?? config().dataDir);
  dropToServiceUser(dataDir); // the file is the service account's, as the API's own would be
  const existed = existsSync(workerTokenFile(dataDir));
  const token = ensureWorkerToken(dataDir);
  print(existed
    ? `the worker token of ${dataDir} (made earlier; one per installation: every worker host uses it):\n`
    : `a new worker token for ${dataDir} (every worker host uses it; keep it as secret as a password):\n`);
  print(`${token}\n`);
  return 0;
}
