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

/** The current time as the store writes it: ISO-8601 UTC with milliseconds. */
export function now(): string {
  return new Date().toISOString();
}
