// `gradebox start [--port N] [--data DIR] [--database URL] [--workers N]`: the whole service on one
// machine. Redis (REDIS_URL, or a private redis-server on a unix socket), the API as the unprivileged
// service account (its store SQLite in the data folder, or PostgreSQL: DATABASE_URL), and a worker
// pool as root; children that die are restarted; SIGTERM stops them all.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pino, type Logger } from 'pino';

import { config } from '../common/config.js';
import { UsageError, UserError } from '../common/errors.js';
import { fromPackageRoot } from '../common/package-root.js';
import { giveTree } from '../account/give-tree.js';
import { isRoot, lookUpServiceUser, type ServiceUser } from '../account/service-user.js';
import { workerTokenFile } from '../api/api-service.js';
import { startPrivateRedis, type PrivateRedis } from '../queue/private-redis.js';
import { checkRedisAccess, connectRedis, redactedRedisUrl, waitForRedis } from '../queue/redis-connection.js';
import { SupervisedChild } from '../starter/child-supervisor.js';
import { makeStartStateDir, removeStartState, writeProcesses } from '../starter/start-state.js';
import { integerFlag, parseFlags } from './args.js';

const CLI = fromPackageRoot('dist', 'services', 'cli', 'main.js');

async function reachable(url: string): Promise<boolean> {
  const redis = connectRedis(url, { profile: 'api', name: 'gradebox-start-probe' });
  redis.on('error', () => {});
  try {
    await waitForRedis(redis, 3000);
    return true;
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/** REDIS_URL when it answers; otherwise a private redis-server in the (given) data folder, run as the service account. */
async function redisFor(dataDir: string, user: ServiceUser, logger: Logger): Promise<{ url: string; server: PrivateRedis | null }> {
  const configured = config().redisUrl;
  if (configured && (await reachable(configured))) return { url: configured, server: null };
  if (configured) logger.warn({ redis: redactedRedisUrl(configured) }, 'REDIS_URL does not answer; starting a private redis-server instead');
  const server = await startPrivateRedis({ dir: join(dataDir, 'redis'), uid: user.uid, gid: user.gid });
  return { url: `unix://${server.socketPath}`, server };
}

/**
 * The data folder, given to the service account and private to it (whatever modes it had), with
 * the private Redis's folder inside it. Inside it root only makes that folder and gives the tree
 * away, both by descriptor: the account owns it, and may have planted links.
 */
function prepareDataDir(dataDir: string, user: ServiceUser): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  giveTree(dataDir, user, ['redis']);
}

async function waitForHealthy(port: number, child: SupervisedChild, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.pid !== null) {
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
      if (ok) return;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new UserError('E_START', `the API did not answer on port ${port} within ${timeoutMs / 1000} s (is the port taken?)`);
}

export async function startCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, { port: { type: 'string' }, data: { type: 'string' }, database: { type: 'string' }, workers: { type: 'string' } });
  if (!isRoot()) throw new UsageError('gradebox start runs as root: its worker builds sandboxes (the API drops to an unprivileged account)');
  const port = integerFlag('--port', values.port) ?? config().port;
  if (port < 1 || port > 65535) throw new UsageError(`--port must be 1 to 65535, got ${port}`);
  const workers = integerFlag('--workers', values.workers);
  const dataDir = resolve(values.data ?? config().dataDir);
  const logger = pino({ name: 'gradebox-start' });
  const user = lookUpServiceUser(config().serviceUser);
  const configuredRedis = config().redisUrl;
  if (configuredRedis) checkRedisAccess(configuredRedis, 'REDIS_URL');
  prepareDataDir(dataDir, user);
  const stateDir = makeStartStateDir(dataDir);

  const redis = await redisFor(dataDir, user, logger);
  // Redis's and the database's addresses go to the children in their environment, not on their command
  // line: every local user may read a command line (/proc/PID/cmdline), and an address may hold a password.
  const env = { ...process.env, GRADEBOX_SUPERVISOR_PID: String(process.pid), REDIS_URL: redis.url, ...(values.database ? { DATABASE_URL: values.database } : {}) };
  const api = new SupervisedChild({
    // Started as root so it can read the package wherever it is installed; it becomes the
    // service account before it opens the store or a socket.
    name: 'api', command: process.execPath, env,
    args: [CLI, 'api', '--data', dataDir, '--port', String(port), '--first-run'],
  }, logger);
  const worker = new SupervisedChild({
    name: 'worker', command: process.execPath, env,
    args: [CLI, 'worker', '--api', `http://127.0.0.1:${port}`, '--token-file', workerTokenFile(dataDir),
      // One host: a dead worker's job is taken again after 10 s instead of the default 30 s.
      '--lock-ms', '10000', '--stalled-ms', '5000', ...(workers ? ['--concurrency', String(workers)] : [])],
  }, logger);
  const recordPids = () => writeProcesses(stateDir, { start: process.pid, api: api.pid, worker: worker.pid, redis: redis.server?.pid ?? null });

  api.start();
  await waitForHealthy(port, api);
  worker.start();
  recordPids();
  const pidTimer = setInterval(recordPids, 1000);
  logger.info({ port, data: dataDir, redis: redactedRedisUrl(redis.url) }, `gradebox is running: http://127.0.0.1:${port} (API docs at /openapi.json)`);

  await new Promise<void>((resolveStop) => {
    process.once('SIGTERM', () => resolveStop());
    process.once('SIGINT', () => resolveStop());
  });
  logger.info('stopping: the worker finishes or hands back its jobs, then the API stops');
  clearInterval(pidTimer);
  await worker.stop();
  await api.stop();
  await redis.server?.stop();
  removeStartState(dataDir);
  return 0;
}
