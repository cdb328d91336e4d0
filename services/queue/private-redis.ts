// A private redis-server for one host: unix socket only, noeviction, append-only file in its own dir.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';

import { InternalError, UserError } from '../common/errors.js';
import { readOwnedFile } from '../common/owned-file.js';

/** A unix socket path must fit `sun_path` (108 bytes with its NUL). */
const MAX_SOCKET_PATH = 107;

export interface PrivateRedisOptions {
  /** Holds the socket, the append-only files and the log; created when missing (mode 700). */
  dir: string;
  /** The server executable. @defaultValue `redis-server` (from PATH; Debian package redis-server) */
  redisServer?: string;
  /** Give up when the server does not answer PING within this long, ms. @defaultValue 10000 */
  readyTimeoutMs?: number;
  /**
   * When the append-only file reaches the disk: `everysec` may lose the last second of writes if
   * the machine (not just Redis) dies, which the API's outbox relay re-sends. @defaultValue `everysec`
   */
  appendfsync?: 'always' | 'everysec';
  /** Run the server as this account (root starting it for the unprivileged API). @defaultValue this process's */
  uid?: number;
  /** @defaultValue this process's */
  gid?: number;
}

const SETPRIV = '/usr/bin/setpriv';
/** setpriv's exit status when it cannot run the program it was given. */
const SETPRIV_CANNOT_RUN = 127;

/**
 * How to run `executable` so that it gets SIGTERM (and so flushes its append-only file and exits)
 * when this process ends, however it ends: a kill -9 of `gradebox start` would otherwise leave a
 * server holding the dir, and the next start there would be refused. util-linux's setpriv (on every
 * Debian and Ubuntu) sets the parent-death signal and execs it, so the pid stays the server's.
 */
function diesWithParent(executable: string, args: string[]): { command: string; args: string[] } {
  if (!existsSync(SETPRIV)) return { command: executable, args };
  return { command: SETPRIV, args: ['--pdeathsig', 'TERM', '--', executable, ...args] };
}

function serverArgs(dir: string, socket: string, appendfsync: string): string[] {
  return [
    '--port', '0', // no TCP listener at all: only processes that can reach the socket can talk to it
    '--unixsocket', socket,
    '--unixsocketperm', '700',
    '--dir', dir,
    '--appendonly', 'yes', // every write logged, so a restart (or a crash) loses no job
    '--appendfsync', appendfsync,
    '--save', '', // the append-only file is the persistence; no RDB snapshots besides
    '--maxmemory-policy', 'noeviction', // an evicted key would be a lost job
    '--daemonize', 'no',
    '--logfile', join(dir, 'redis.log'),
  ];
}

/** One PING over the socket; true on +PONG. */
function ping(socket: string): Promise<boolean> {
  return new Promise((resolvePing) => {
    const client = connect(socket);
    let reply = '';
    const done = (ok: boolean): void => {
      client.destroy();
      resolvePing(ok);
    };
    client.setTimeout(1000, () => done(false));
    client.on('error', () => done(false));
    client.on('connect', () => client.write('PING\r\n'));
    client.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

/**
 * The end of the server's log, for an error message. Root reads it from a folder the server's
 * account controls: a link or another's file planted there is not read (see readOwnedFile).
 */
function logTail(dir: string, owner: number): string {
  const read = readOwnedFile(join(dir, 'redis.log'), { owners: [owner], maxBytes: 4096, tail: true });
  if ('problem' in read) return `(log not read: ${read.problem})`;
  return read.text.trim().split('\n').slice(-5).join('\n');
}

/**
 * Spawns with umask 077, so the server's files (append-only log, log) are its account's alone.
 * Node has no umask option; spawn() forks before it returns, so the mask is this process's only meanwhile.
 */
function spawnPrivately(command: string, args: string[], options: SpawnOptions): ChildProcess {
  const previous = process.umask(0o077);
  try {
    return spawn(command, args, options);
  } finally {
    process.umask(previous);
  }
}

/** A running private redis-server; {@link stop} ends exactly the process this object started. */
export class PrivateRedis {
  private exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    /** The server's unix socket. */
    readonly socketPath: string,
    /** The folder given at start. */
    readonly dir: string,
    /** The server's account. */
    private readonly uid: number,
  ) {
    this.exited = new Promise((resolveExit) => {
      child.once('exit', () => resolveExit());
      child.once('error', () => resolveExit()); // never started: there is nothing to wait for
    });
  }

  /** `unix://<socket>`, for {@link connectRedis}. */
  get url(): string {
    return `unix://${this.socketPath}`;
  }

  /** The server's pid (only the process this object started). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Starts redis-server in `options.dir` and resolves once it answers PING. */
  static async start(options: PrivateRedisOptions): Promise<PrivateRedis> {
    const dir = resolve(options.dir);
    const socket = join(dir, 'redis.sock');
    if (Buffer.byteLength(socket) > MAX_SOCKET_PATH) {
      throw new UserError('E_REDIS_DIR', `Redis dir "${dir}" is too long for a unix socket path (${MAX_SOCKET_PATH} bytes at most with "redis.sock"); choose a shorter folder`);
    }
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // redis-server would unlink a live socket and bind its own, and two servers on one append-only
    // file corrupt it: a dir whose server still answers is refused.
    if (await ping(socket)) {
      throw new UserError('E_REDIS_RUNNING', `a Redis server already answers on ${socket}; stop it, or connect to it instead of starting another in "${dir}"`);
    }
    const executable = options.redisServer ?? 'redis-server';
    const run = diesWithParent(executable, serverArgs(dir, socket, options.appendfsync ?? 'everysec'));
    const child = spawnPrivately(run.command, run.args, { stdio: 'ignore', uid: options.uid, gid: options.gid });
    const uid = options.uid ?? process.getuid?.() ?? 0;
    const server = new PrivateRedis(child, socket, dir, uid);
    const cannotRun = (why: string) => new InternalError('E_REDIS_START', `cannot run ${executable}: ${why} (install the redis-server package)`);
    const startFailure = new Promise<Error>((resolveFailure) => {
      child.once('error', (error) => resolveFailure(cannotRun(error.message)));
      child.once('exit', (code, signal) => resolveFailure(code === SETPRIV_CANNOT_RUN && run.command === SETPRIV
        ? cannotRun('not found or not executable')
        : new InternalError('E_REDIS_START', `${executable} exited at start (code ${code}, signal ${signal}): ${logTail(dir, uid)}`)));
    });
    const failure = await Promise.race([server.waitUntilReady(options.readyTimeoutMs ?? 10_000), startFailure]);
    if (failure) {
      await server.stop();
      throw failure;
    }
    return server;
  }

  /** Resolves to undefined once the server answers, or to an error after `timeoutMs`. */
  private async waitUntilReady(timeoutMs: number): Promise<Error | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null || this.child.signalCode !== null) return new InternalError('E_REDIS_START', 'redis-server exited');
      if (await ping(this.socketPath)) return undefined;
      await new Promise((r) => setTimeout(r, 25));
    }
    return new InternalError('E_REDIS_START', `redis-server did not answer PING on ${this.socketPath} within ${timeoutMs} ms: ${logTail(this.dir, this.uid)}`);
  }

  /**
   * Stops the server: SIGTERM (Redis then flushes its append-only file and exits), SIGKILL after
   * `timeoutMs`. Only the pid this object started is signalled.
   */
  async stop(timeoutMs = 10_000): Promise<void> {
    if (this.child.pid !== undefined && this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
      await this.exited;
      clearTimeout(timer);
    }
  }
}

/** Starts a private redis-server; see {@link PrivateRedis.start}. */
export function startPrivateRedis(options: PrivateRedisOptions): Promise<PrivateRedis> {
  return PrivateRedis.start(options);
}
