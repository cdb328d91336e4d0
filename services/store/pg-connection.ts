// The one place a PostgreSQL connection pool is made (node-postgres), with the value types the store
// reads (times as ISO-8601 text, JSON as its text, bigints as numbers: what SQLite gives), and the
// transactions the operations run in.
import pg from 'pg';

import { UserError } from '../common/errors.js';

export type PgPool = pg.Pool;
export type PgClient = pg.PoolClient;
/** A pool (each statement on its own) or a client inside a transaction. */
export type Queryable = pg.Pool | pg.PoolClient;

const { builtins } = pg.types;

/**
 * Values as the SQLite backend returns them, so an operation maps rows alike on both: timestamptz
 * as `toISOString()` text, json as its stored text (parsed where the SQLite module parses it),
 * bigint (ids, counts) as a number (they stay far below 2^53).
 */
function getTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
  if (oid === builtins.INT8) return Number;
  if (oid === builtins.JSON) return (value) => value;
  if (oid === builtins.TIMESTAMPTZ) {
    const parse = pg.types.getTypeParser(oid, 'text') as (value: string) => Date;
    return (value) => parse(value).toISOString();
  }
  return pg.types.getTypeParser(oid, format ?? 'text') as (value: string) => unknown;
}

/** Whether `url` names a PostgreSQL database. */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

/** The URL without its password, for messages and logs. */
export function redactedDatabaseUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
}

/** A pool on `url`; its connections are made on first use (see {@link checkConnection}). */
export function openPool(url: string, maxConnections: number): PgPool {
  if (!isPostgresUrl(url)) {
    throw new UserError('E_DATABASE_URL', `${JSON.stringify(redactedDatabaseUrl(url))} is not a postgres:// URL; give one (DATABASE_URL or --database), or unset it to use SQLite under the data folder`);
  }
  const pool = new pg.Pool({ connectionString: url, max: maxConnections, types: { getTypeParser } as pg.CustomTypesConfig, application_name: 'gradebox' });
  // An idle connection the server ended (a restart) is dropped from the pool; the next query makes a new one.
  pool.on('error', () => {});
  return pool;
}

// A deadlock or a serialization failure aborts one of the transactions involved: it is run again.
const RETRIED = new Set(['40P01', '40001']);
const TRIES = 3;

/** Runs `fn` between BEGIN and COMMIT; true in `broken` when even the ROLLBACK failed (the connection is lost). */
async function runOnce<T>(client: PgClient, fn: (client: PgClient) => Promise<T>, relaxed: boolean, broken: { lost: boolean }): Promise<T> {
  await client.query('BEGIN');
  try {
    // off: this commit does not wait for its WAL to reach the disk (see relaxedWrite)
    if (relaxed) await client.query('SET LOCAL synchronous_commit = off');
    const value = await fn(client);
    await client.query('COMMIT');
    return value;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => { broken.lost = true; });
    throw error;
  }
}

async function transaction<T>(pool: PgPool, fn: (client: PgClient) => Promise<T>, relaxed: boolean): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    const broken = { lost: false };
    try {
      return await runOnce(client, fn, relaxed, broken);
    } catch (error) {
      if (attempt >= TRIES || !RETRIED.has(String((error as { code?: unknown }).code))) throw error;
    } finally {
      // A lost connection is not given back to the pool.
      client.release(broken.lost);
    }
  }
}

/**
 * Runs `fn` in a transaction (READ COMMITTED). Operations that read before they write lock the
 * submission's row first (`FOR UPDATE`), so they run one after another per submission, as
 * SQLite's IMMEDIATE transactions do for the whole file.
 */
export function writeTransaction<T>(pool: PgPool, fn: (client: PgClient) => Promise<T>): Promise<T> {
  return transaction(pool, fn, false);
}

/**
 * Runs `fn` (a write whose loss in a crash of the database costs only a repeat, such as an outbox
 * row the relay would send again) in a transaction that does not wait for its flush; the next
 * durable commit flushes it with its own.
 */
export function relaxedWrite<T>(pool: PgPool, fn: (client: PgClient) => Promise<T>): Promise<T> {
  return transaction(pool, fn, true);
}

/** The rows of a statement. */
export async function rows<T>(db: Queryable, sql: string, params: unknown[] = []): Promise<T[]> {
  return (await db.query(sql, params)).rows as T[];
}

/** The first row of a statement, or undefined. */
export async function row<T>(db: Queryable, sql: string, params: unknown[] = []): Promise<T | undefined> {
  return (await rows<T>(db, sql, params))[0];
}

/** The current time as the store writes it: ISO-8601 UTC with milliseconds. */
export function now(): string {
  return new Date().toISOString();
}
