// The one place a SQLite connection is opened: WAL (readers never wait for the writer, and a second
// process such as `gradebox keys create` can share the file), foreign keys, a busy timeout.
import Database from 'better-sqlite3';

import { InternalError } from '../common/errors.js';
import { translateSqliteError } from './sqlite-errors.js';

export type SqliteDatabase = Database.Database;

/**
 * Loads SQLite's native code now (better-sqlite3 loads it at the first connection): a process
 * that is about to give up root may no longer be able to read the package it was started from.
 */
export function loadSqliteDriver(): void {
  new Database(':memory:').close();
}

/**
 * Each SQL text is compiled once per connection (the store runs the same few statements over and
 * over; compiling costs more than running most of them). A cached statement comes back returning
 * whole rows, as a fresh one would: a call site that wants one column asks with pluck() again.
 */
function compileOnce(db: SqliteDatabase): void {
  const compile = db.prepare.bind(db);
  const compiled = new Map<string, Database.Statement>();
  db.prepare = ((sql: string) => {
    const cached = compiled.get(sql);
    if (!cached) {
      const statement = compile(sql);
      compiled.set(sql, statement);
      return statement;
    }
    if (cached.reader) cached.pluck(false);
    return cached;
  }) as SqliteDatabase['prepare'];
}

export function openDatabase(file: string, busyTimeoutMs: number): SqliteDatabase {
  let db: SqliteDatabase;
  try {
    db = new Database(file, { timeout: busyTimeoutMs });
  } catch (error) {
    throw translateSqliteError(error, file);
  }
  try {
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') {
      throw new InternalError('E_STORE_WAL', `the database ${file} cannot use write-ahead logging (journal mode stays "${String(mode)}"); put the data dir on a local file system`);
    }
    db.pragma('foreign_keys = ON');
    // FULL: a submission answered with 202 must survive a power cut, not only a crash of the process.
    db.pragma('synchronous = FULL');
    compileOnce(db);
    return db;
  } catch (error) {
    db.close();
    throw translateSqliteError(error, file);
  }
}

/**
 * Runs `fn` in an IMMEDIATE transaction: the write lock is taken before the first read, so a
 * read-then-write (next sequence number, idempotency check) cannot race another process. Nested
 * calls become savepoints of the outer transaction.
 */
export function writeTransaction<T>(db: SqliteDatabase, fn: () => T): T {
  return db.transaction(fn).immediate();
}

/**
 * Runs `fn` (a write whose loss in a power cut costs only a repeat, such as an outbox row the
 * relay would send again) with commits that skip the fsync; the next durable commit syncs it
 * with its own. Each fsync is a disk flush and, on a VM, a trip to the hypervisor.
 */
export function relaxedWrite<T>(db: SqliteDatabase, fn: () => T): T {
  db.pragma('synchronous = NORMAL');
  try {
    return fn();
  } finally {
    db.pragma('synchronous = FULL');
  }
}

/** The current time as the store writes it: ISO-8601 UTC with milliseconds. */
export function now(): string {
  return new Date().toISOString();
}
