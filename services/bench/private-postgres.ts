// A private PostgreSQL server for the benchmark and the tests: a cluster made with initdb in a temp
// folder owned by the service account (postgres refuses to run as root), listening only on a unix
// socket inside it, no system service involved. Stopped (and its folder removed) by stop(); if the
// process that started it dies, the kernel sends it SIGINT (setpriv --pdeathsig: a fast shutdown).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import pg from 'pg';

import type { ServiceUser } from '../account/service-user.js';

const SETPRIV = '/usr/bin/setpriv';
const INSTALL_ROOT = '/usr/lib/postgresql';

/** The folder of the newest installed PostgreSQL's programs (Debian keeps them per major version), or null. */
export function postgresBinDir(): string | null {
  if (!existsSync(INSTALL_ROOT)) return null;
  const versions = readdirSync(INSTALL_ROOT).filter((v) => /^\d+$/.test(v) && existsSync(join(INSTALL_ROOT, v, 'bin', 'initdb')));
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  return newest === undefined ? null : join(INSTALL_ROOT, newest, 'bin');
}

export interface PrivatePostgres {
  /** The cluster's folder (what the server writes to disk). */
  dataDir: string;
  /** The folder holding the server's socket. */
  socketDir: string;
  /** A postgres:// URL of `database` on this server, as the service account. */
  urlOf(database: string): string;
  /** Creates a new empty database and returns its URL. */
  createDatabase(): Promise<string>;
  stop(): Promise<void>;
}

function asUser(user: ServiceUser) {
  return { uid: user.uid, gid: user.gid };
}

/** Polls until the server accepts a connection (about a second after it starts). */
async function waitUntilReady(url: string, server: ChildProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new pg.Client({ connectionString: url });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.end();
      return;
    } catch (error) {
      if (server.exitCode !== null || Date.now() > deadline) throw new Error(`the private PostgreSQL did not start: ${(error as Error).message}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export interface PrivatePostgresOptions {
  /**
   * Commits wait for the disk, as a production server's do (the benchmark compares it with SQLite's
   * synchronous=FULL); off for the tests, whose data is thrown away. @defaultValue false
   */
  durable?: boolean;
}

/** Starts a private server. */
export async function startPrivatePostgres(user: ServiceUser, options: PrivatePostgresOptions = {}, binDir = postgresBinDir()): Promise<PrivatePostgres> {
  if (binDir === null) throw new Error('PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); infra/install.sh installs it');
  const root = mkdtempSync(join(tmpdir(), 'gradebox-pg-'));
  chownSync(root, user.uid, user.gid);
  const dataDir = join(root, 'data');
  const socketDir = join(root, 'run');
  mkdirSync(socketDir, { mode: 0o700 });
  chownSync(socketDir, user.uid, user.gid);
  // trust: whoever reaches the socket may connect, and only the account and root can (its folder is 0700).
  execFileSync(join(binDir, 'initdb'), ['-D', dataDir, '-U', user.name, '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C.UTF-8'],
    { ...asUser(user), stdio: 'ignore', cwd: root });
  const durability = options.durable ? [] : ['-c', 'fsync=off', '-c', 'full_page_writes=off', '-c', 'synchronous_commit=off'];
  const server = spawn(SETPRIV, ['--pdeathsig', 'INT', '--', join(binDir, 'postgres'), '-D', dataDir, '-k', socketDir, '-c', 'listen_addresses=',
    '-c', 'max_connections=200', ...durability], { ...asUser(user), stdio: 'ignore', cwd: root });
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  const urlOf = (database: string) => `postgres://${encodeURIComponent(user.name)}@/${database}?host=${encodeURIComponent(socketDir)}`;
  const stop = async () => {
    if (server.exitCode === null && server.signalCode === null) {
      server.kill('SIGINT');
      await exited;
    }
    rmSync(root, { recursive: true, force: true });
  };
  try {
    await waitUntilReady(urlOf('postgres'), server);
  } catch (error) {
    await stop();
    throw error;
  }
  let made = 0;
  return {
    dataDir, socketDir, urlOf, stop,
    async createDatabase() {
      const name = `gradebox_${++made}`;
      const admin = new pg.Client({ connectionString: urlOf('postgres') });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      return urlOf(name);
    },
  };
}
