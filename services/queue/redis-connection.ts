// ioredis connections for the two sides of the queue: the API fails fast, workers wait for Redis forever.
import { statSync } from 'node:fs';

import { Redis, type RedisOptions } from 'ioredis';

import { InternalError, UserError } from '../common/errors.js';

/**
 * `api`: a request must not hang while Redis is away (the outbox keeps the submission and a relay
 * re-sends it later), so commands fail at once. `worker`: BullMQ's blocking commands need
 * `maxRetriesPerRequest: null`, and a grading host should ride out any outage.
 */
export type RedisProfile = 'api' | 'worker';

export interface RedisConnectionOptions {
  /** How the connection behaves when Redis is away. */
  profile: RedisProfile;
  /** Shown in `CLIENT LIST`, e.g. `gradebox-worker`. @defaultValue `gradebox-<profile>` */
  name?: string;
  /** Give up one connection attempt after this long, ms. @defaultValue 2000 (api), 10000 (worker) */
  connectTimeoutMs?: number;
  /** Longest wait between reconnection attempts, ms. @defaultValue 2000 (api), 5000 (worker) */
  maxBackoffMs?: number;
}

/** Where a Redis URL points: a TCP address or a unix socket. */
export type RedisAddress =
  | { kind: 'tcp'; host: string; port: number; db: number; username?: string; password?: string; tls: boolean }
  | { kind: 'socket'; path: string; db: number };

function badUrl(url: string, why: string): UserError {
  return new UserError('E_REDIS_URL', `Redis address "${url}" ${why}; use redis://HOST:PORT[/DB], unix:///path/to/redis.sock or a bare socket path`);
}

function dbNumber(url: string, text: string | null): number {
  if (text === null || text === '') return 0;
  if (!/^\d{1,2}$/.test(text)) throw badUrl(url, `names database "${text}", which is not a number`);
  return Number(text);
}

/** Parses `redis://[user:pass@]host[:port][/db]`, `rediss://…`, `unix:///path[?db=N]` or `/path/to.sock`. */
export function parseRedisUrl(url: string): RedisAddress {
  if (url.startsWith('/')) return { kind: 'socket', path: url, db: 0 };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw badUrl(url, 'is not a URL');
  }
  if (parsed.protocol === 'unix:') {
    if (!parsed.pathname.startsWith('/') || parsed.pathname === '/') throw badUrl(url, 'has no socket path');
    return { kind: 'socket', path: decodeURIComponent(parsed.pathname), db: dbNumber(url, parsed.searchParams.get('db')) };
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw badUrl(url, `has scheme "${parsed.protocol}"`);
  if (parsed.hostname === '') throw badUrl(url, 'has no host');
  const port = parsed.port === '' ? 6379 : Number(parsed.port);
  const address: RedisAddress = {
    kind: 'tcp', host: parsed.hostname.replace(/^\[|\]$/g, ''), port, db: dbNumber(url, parsed.pathname.slice(1)), tls: parsed.protocol === 'rediss:',
  };
  if (parsed.username) address.username = decodeURIComponent(parsed.username);
  if (parsed.password) address.password = decodeURIComponent(parsed.password);
  return address;
}

/**
 * Why gradebox must not use the Redis at `url`, or null. Whoever can send it commands can queue
 * gradings and read every queued submission's files, so a Redis reached over TCP must ask for a
 * password; a unix socket is guarded by its file mode, and must not be open to every local user.
 * `source` names where the address came from (REDIS_URL or --redis), so the sentence says what to fix.
 */
export function redisAccessProblem(url: string, source: string): string | null {
  const address = parseRedisUrl(url);
  if (address.kind === 'tcp') {
    if (address.password !== undefined) return null;
    const where = `${address.host}:${address.port}`;
    return `${source} ${url} gives no password, and any process that reaches ${where} could queue gradings or read submissions; `
      + `make that Redis require one (requirepass or an ACL user) and put it in the address, redis://:PASSWORD@${where}, `
      + 'or leave REDIS_URL unset so gradebox start runs a private Redis on a unix socket';
  }
  let mode: number;
  try {
    mode = statSync(address.path).mode;
  } catch {
    return null; // not there (yet): connecting says so, and retries
  }
  if (mode & 0o002) return `${source} ${url}: every local user may write to that socket (mode ${(mode & 0o777).toString(8)}); set unixsocketperm 770 or stricter in its redis.conf`;
  return null;
}

/** Throws a UserError (E_REDIS_OPEN) when {@link redisAccessProblem} finds one. */
export function checkRedisAccess(url: string, source: string): void {
  const problem = redisAccessProblem(url, source);
  if (problem) throw new UserError('E_REDIS_OPEN', problem);
}

/** The address without its password, for logs and messages. */
export function redactedRedisUrl(url: string): string {
  return url.replace(/^(rediss?:\/\/[^:@/]*:)[^@/]*@/, '$1***@');
}

function addressOptions(address: RedisAddress): RedisOptions {
  if (address.kind === 'socket') return { path: address.path, db: address.db };
  const options: RedisOptions = { host: address.host, port: address.port, db: address.db };
  if (address.username !== undefined) options.username = address.username;
  if (address.password !== undefined) options.password = address.password;
  if (address.tls) options.tls = {};
  return options;
}

function profileOptions(options: RedisConnectionOptions): RedisOptions {
  const api = options.profile === 'api';
  const maxBackoff = options.maxBackoffMs ?? (api ? 2000 : 5000);
  return {
    connectionName: options.name ?? `gradebox-${options.profile}`,
    connectTimeout: options.connectTimeoutMs ?? (api ? 2000 : 10_000),
    // Both keep reconnecting in the background; only what happens to a command while away differs.
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 10), maxBackoff),
    maxRetriesPerRequest: api ? 1 : null,
    enableOfflineQueue: !api,
    // A worker's blocked BZPOPMIN must not be cut by a client-side timeout, so none is set.
  };
}

/**
 * A new ioredis connection to `url` with the profile's behaviour. The caller owns it and
 * calls `quit()` (or `disconnect()`) when done; BullMQ never closes a connection it was given.
 */
export function connectRedis(url: string, options: RedisConnectionOptions): Redis {
  const redis = new Redis({ ...addressOptions(parseRedisUrl(url)), ...profileOptions(options) });
  // ioredis reports every failed reconnection as an 'error' event; without a listener Node would
  // print each one. The callers see failures where they matter: on their commands.
  redis.on('error', () => {});
  return redis;
}

/**
 * Why this Redis may lose jobs, or null when it is fit: BullMQ needs `maxmemory-policy
 * noeviction`, since an evicted key is a lost job or a corrupt queue.
 */
export async function evictionProblem(redis: Redis): Promise<string | null> {
  // INFO rather than CONFIG GET: managed Redis services often refuse CONFIG.
  const info = await redis.info('memory');
  const policy = /^maxmemory_policy:(\S+)/m.exec(info)?.[1];
  if (policy === 'noeviction') return null;
  return `Redis maxmemory-policy is "${policy ?? 'unknown'}": it may evict queued jobs under memory pressure; set "maxmemory-policy noeviction" in redis.conf (or CONFIG SET maxmemory-policy noeviction)`;
}

/** Resolves once `redis` is connected and ready; rejects after `timeoutMs`. */
export async function waitForRedis(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolveReady, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      reject(new InternalError('E_REDIS_UNREACHABLE', `Redis did not become ready within ${timeoutMs} ms (connection ${redis.status})`));
    }, timeoutMs);
    const onReady = (): void => {
      clearTimeout(timer);
      resolveReady();
    };
    redis.once('ready', onReady);
  });
}
