// `gradebox worker`: a grading host. Takes jobs from Redis, fetches inputs from the API, grades in
// CPU-pinned sandboxes, sends results back; SIGTERM/SIGINT stop it gracefully.
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { config } from '../common/config.js';
import { UsageError } from '../common/errors.js';
import { readOwnedFile } from '../common/owned-file.js';
import { lookUpServiceUser } from '../account/service-user.js';
import { jobKeyFromToken } from '../queue/job-signature.js';
import { checkRedisAccess, connectRedis, evictionProblem, redactedRedisUrl } from '../queue/redis-connection.js';
import { sweepLeftovers } from '../sandbox/launcher.js';
import { whenSupervisorGone } from '../starter/supervisor-watch.js';
import { CpuSlots, defaultCpus, parseCpuList } from '../worker/cpu-slots.js';
import { HttpBackend } from '../worker/http-backend.js';
import { sweepScratch } from '../worker/scratch-sweep.js';
import { WorkerPool } from '../worker/worker-pool.js';
import { integerFlag, parseFlags } from './args.js';

const HELP = `usage: gradebox worker --api URL --token-file FILE [OPTIONS]

  --redis URL        redis://:PASSWORD@HOST:PORT[/DB] or unix:///path/to/redis.sock (default: REDIS_URL);
                     a Redis reached over TCP must ask for a password. Prefer REDIS_URL: every local
                     user can read a command line
  --api URL          the API that serves submissions and graders, e.g. http://api:8080
  --token-file FILE  file holding this worker's token (sent as Authorization: Bearer)
  --concurrency N    jobs graded at once (default: one per CPU in --cpus)
  --prefetch N       jobs taken ahead, their inputs made ready while the slots grade; 0 takes a
                     job only when a slot is free (default: as many as --concurrency)
  --cpus LIST        CPUs the sandboxes are pinned to, e.g. 0-3,6 (default: every CPU of this process)
  --prefix NAME      Redis key prefix of the queues (default gradebox)
  --lock-ms N        job lock; a dead worker's job is taken again after this (default 30000)
  --stalled-ms N     how often to look for jobs of dead workers (default 30000)
  --grace-ms N       on SIGTERM, time for jobs in flight to finish before they are handed back (default 120000)

SIGTERM or SIGINT: stop taking jobs, finish (or after --grace-ms hand back) the ones in flight, exit.
A second signal hands them back at once.
`;

const FLAGS = {
  redis: { type: 'string' }, api: { type: 'string' }, 'token-file': { type: 'string' },
  concurrency: { type: 'string' }, prefetch: { type: 'string' }, cpus: { type: 'string' }, prefix: { type: 'string' },
  'lock-ms': { type: 'string' }, 'stalled-ms': { type: 'string' }, 'grace-ms': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Under a dead gradebox start, how long handing the jobs back may take before the worker exits anyway. */
const ORPHAN_HAND_BACK_MS = 5000;

/**
 * gradebox start is gone, and with it the API this worker reports to (and its private Redis).
 * Finishing the jobs in flight would only wait for the NEXT service started on the same folder and
 * hand it results it did not ask for, so: hand them back now if Redis still answers (a shared
 * REDIS_URL), give up after a few seconds if not (each job returns to the queue when its lock
 * expires), and exit. Exiting ends the launcher, which tears the sandboxes down (its parent-death
 * signal).
 */
async function endAsOrphan(pool: WorkerPool, print: (text: string) => void): Promise<never> {
  print(`gradebox start is gone: handing back ${pool.activeJobs} job(s) in flight and exiting\n`);
  await Promise.race([pool.handBack().catch(() => {}), new Promise((r) => setTimeout(r, ORPHAN_HAND_BACK_MS))]);
  process.exit(0);
}

/** A token is 43 characters (32 random bytes, base64url); room for one made otherwise. */
const MAX_TOKEN_BYTES = 4096;

function positive(flag: string, value: string | undefined): number | undefined {
  const n = integerFlag(flag, value);
  if (n !== undefined && n < 1) throw new UsageError(`${flag} must be 1 or more, got ${n}`);
  return n;
}

/** Root, this process's account, and the service account when this host has one (it writes the token under gradebox start). */
function tokenOwners(): number[] {
  const owners = [0, process.getuid?.() ?? 0];
  try {
    owners.push(lookUpServiceUser(config().serviceUser).uid);
  } catch {
    // A grading host of its own need not have the account: the token is then root's.
  }
  return owners;
}

/**
 * The token, read as root from a file the service account may control (under gradebox start it
 * is in the account's data folder): see readOwnedFile for what is refused, and why.
 */
function readToken(path: string | undefined): string {
  if (path === undefined) throw new UsageError('missing --token-file FILE (the worker token the API gave this host)');
  const read = readOwnedFile(path, { owners: tokenOwners(), maxBytes: MAX_TOKEN_BYTES });
  if ('problem' in read) throw new UsageError(`--token-file ${path}: ${read.problem}`);
  const token = read.text.trim();
  if (token === '' || /\s/.test(token)) throw new UsageError(`--token-file ${path}: expected one token on one line`);
  return token;
}

function checkApiUrl(url: string | undefined): string {
  if (url === undefined) throw new UsageError('missing --api URL (the API that serves submissions and graders)');
  if (!/^https?:\/\/[^/]+/.test(url)) throw new UsageError(`--api ${url}: give an http:// or https:// address`);
  return url;
}

/** Resolves with the signal's name at the first SIGTERM/SIGINT; `again` runs on each later one. */
function firstSignal(again: () => void): { received: Promise<string>; dispose: () => void } {
  let count = 0;
  let resolveSignal: (name: string) => void = () => {};
  const received = new Promise<string>((resolve) => { resolveSignal = resolve; });
  const onSignal = (name: string): void => {
    count += 1;
    if (count === 1) resolveSignal(name);
    else again();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return { received, dispose: () => { process.off('SIGTERM', onSignal); process.off('SIGINT', onSignal); } };
}

export async function workerCommand(argv: string[], print: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  const { values } = parseFlags(argv, FLAGS);
  if (values.help) {
    print(HELP);
    return 0;
  }
  const apiUrl = checkApiUrl(values.api);
  const token = readToken(values['token-file']);
  const cpus = values.cpus === undefined ? defaultCpus() : parseCpuList(values.cpus);
  const concurrency = positive('--concurrency', values.concurrency) ?? cpus.length;
  new CpuSlots(cpus, concurrency); // checks --cpus before anything starts
  const prefetch = integerFlag('--prefetch', values.prefetch);
  if (prefetch !== undefined && prefetch < 0) throw new UsageError(`--prefetch must be 0 or more, got ${prefetch}`);
  const lockDurationMs = positive('--lock-ms', values['lock-ms']);
  const stalledIntervalMs = positive('--stalled-ms', values['stalled-ms']);
  const graceMs = integerFlag('--grace-ms', values['grace-ms']);
  const redisUrl = values.redis ?? config().redisUrl;
  if (redisUrl === undefined) throw new UsageError('missing --redis URL (or REDIS_URL): the Redis the API queues gradings on');
  checkRedisAccess(redisUrl, values.redis ? '--redis' : 'REDIS_URL');
  const redis = connectRedis(redisUrl, { profile: 'worker', name: 'gradebox-worker' });

  // What a worker that crashed on this host left: its runs' cgroups, its jobs' scratch folders.
  await sweepLeftovers();
  const swept = sweepScratch(tmpdir());
  const pool = new WorkerPool({
    connection: redis, prefix: values.prefix, jobKey: jobKeyFromToken(token), cpus, concurrency, prefetch, lockDurationMs, stalledIntervalMs, graceMs,
    backend: new HttpBackend({ apiUrl, token, cacheDir: join(config().stateDir, 'worker', 'graders') }),
  });
  const signals = firstSignal(() => {
    print('second signal: handing the jobs in flight back now\n');
    void pool.handBack();
  });
  whenSupervisorGone(() => void endAsOrphan(pool, print));
  print(`gradebox worker ${pool.id}: ${concurrency} slot(s) on CPUs ${cpus.join(',')}, ${prefetch ?? concurrency} job(s) taken ahead, Redis ${redactedRedisUrl(redisUrl)}, API ${apiUrl}\n`);
  if (swept > 0) print(`removed ${swept} scratch folder(s) of dead workers\n`);
  void evictionProblem(redis).then((problem) => { if (problem) print(`warning: ${problem}\n`); }, () => {});

  const signal = await signals.received;
  print(`${signal}: stopping (jobs in flight: ${pool.activeJobs})\n`);
  await pool.close();
  signals.dispose();
  redis.disconnect();
  print('stopped\n');
  if (pool.abandonedJobs > 0 || pool.closedWithoutRedis) {
    // Handed-back jobs are still grading in this process; exiting makes the launcher tear their
    // sandboxes down (it gets SIGTERM when its parent dies) instead of waiting for their limits.
    // Without Redis, BullMQ's connections would keep trying to reach it, and the process alive.
    process.exit(0);
  }
  return 0;
}
