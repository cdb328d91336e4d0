// `gradebox api [--port N] [--host H] [--data DIR] [--database URL] [--redis URL] [--first-run]`: the
// HTTP API alone (gradebox start runs it with workers). Started by root, it drops to the service
// account. With the same database and Redis, API processes on several hosts are replicas.
import { pino } from 'pino';

import { config } from '../common/config.js';
import { UsageError } from '../common/errors.js';
import { dropToServiceUser } from '../account/privileges.js';
import { startApiService } from '../api/api-service.js';
import { checkRedisAccess } from '../queue/redis-connection.js';
import { firstRun, snapshotExampleGraders } from '../starter/first-run.js';
import { stopWithSupervisor } from '../starter/supervisor-watch.js';
import { openStore } from '../store/open-store.js';
import { integerFlag, parseFlags } from './args.js';
import { STORE_FLAGS, storeLocation } from './store-location.js';

export async function apiCommand(argv: string[], print: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  const { values } = parseFlags(argv, {
    port: { type: 'string' }, host: { type: 'string' }, ...STORE_FLAGS, redis: { type: 'string' }, 'first-run': { type: 'boolean' },
  });
  const redisUrl = values.redis ?? config().redisUrl;
  if (!redisUrl) throw new UsageError('the API needs Redis: give --redis URL or set REDIS_URL (gradebox start runs a private one)');
  checkRedisAccess(redisUrl, values.redis ? '--redis' : 'REDIS_URL');
  const port = integerFlag('--port', values.port) ?? config().port;
  if (port < 0 || port > 65535) throw new UsageError(`--port must be 0 to 65535, got ${port}`);
  const location = storeLocation(values);
  const { dataDir } = location;
  // Read while still root (the service account need not be able to read the package); stored
  // only when the data folder is new.
  const examples = values['first-run'] ? await snapshotExampleGraders() : [];
  dropToServiceUser(dataDir);

  if (values['first-run']) {
    const store = await openStore(location);
    try {
      await firstRun(store, examples, (line) => print(`${line}\n`));
    } finally {
      await store.close();
    }
  }
  const logger = pino({ name: 'gradebox-api' });
  stopWithSupervisor();
  const service = await startApiService({ ...location, redisUrl, port, host: values.host, logger });
  await new Promise<void>((resolveStop) => {
    const stop = () => resolveStop();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  logger.info('shutting down');
  if (!(await service.close())) {
    // BullMQ's own connections may still be waiting for Redis and would keep the process alive.
    process.exit(0);
  }
  return 0;
}
