// Opens the store of record: SQLite in a data dir (`gradebox.sqlite`, migrated to the newest schema,
// and `blobs/`), or a PostgreSQL database named by a postgres:// URL (migrated the same way) with its
// big blobs in a folder every API process shares.
import { closeSync, constants, fchmodSync, fstatSync, mkdirSync, openSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { UserError } from '../common/errors.js';
import { BlobStore } from './blob-store.js';
import { migrate } from './migrations.js';
import { openPool, redactedDatabaseUrl } from './pg-connection.js';
import { translatePgError } from './pg-errors.js';
import { migratePg } from './pg-migrations.js';
import { pgStore, type PgStore } from './pg-store.js';
import { openDatabase } from './sqlite-connection.js';
import { translateSqliteError } from './sqlite-errors.js';
import { sqliteStore, type SqliteStore } from './sqlite-store.js';
import type { Store } from './store.js';
import { resolveStoreOptions, type StoreOptions } from './store-options.js';

export const DATABASE_FILE = 'gradebox.sqlite';
export const BLOB_DIR = 'blobs';
/** Connections one process keeps to PostgreSQL at most: ten API processes stay within the server's default 100. */
const PG_CONNECTIONS = 8;

/** Where a store is. */
export interface StoreLocation {
  /** The service's data folder: SQLite's database file and, unless `blobDir` says otherwise, the blob folder. */
  dataDir: string;
  /** A postgres:// URL: the store is that database. Unset: SQLite in `dataDir`. */
  databaseUrl?: string;
  /** The folder of big blobs (a shared mount when API processes run on several hosts). @defaultValue `<dataDir>/blobs` */
  blobDir?: string;
}

function ensureDataDir(dataDir: string): void {
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if (!statSync(dataDir).isDirectory()) throw new Error('not a folder');
  } catch (error) {
    throw new UserError('E_STORE_DIR', `cannot use ${JSON.stringify(dataDir)} as the data dir (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); give a folder gradebox may write`);
  }
}

/**
 * Makes the database file private before SQLite opens it: created 0600, or brought to it when this
 * account owns it (SQLite gives its -wal and -shm files the database file's mode).
 */
function privateDatabaseFile(file: string): void {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK, 0o600);
  } catch (error) {
    throw new UserError('E_STORE_DIR', `cannot open the database ${JSON.stringify(file)} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); it must be a file gradebox may write, not a link`);
  }
  try {
    const st = fstatSync(fd);
    if ((st.mode & 0o077) !== 0 && st.uid === process.getuid?.()) fchmodSync(fd, st.mode & 0o700);
  } finally {
    closeSync(fd);
  }
}

function openSqliteStore(dataDir: string, blobs: BlobStore, options: StoreOptions): SqliteStore {
  const file = join(dataDir, DATABASE_FILE);
  privateDatabaseFile(file);
  const db = openDatabase(file, options.busyTimeoutMs);
  try {
    migrate(db, file);
  } catch (error) {
    db.close();
    throw translateSqliteError(error, file);
  }
  return sqliteStore(db, file, blobs, options);
}

async function openPgStore(url: string, blobs: BlobStore, options: StoreOptions): Promise<PgStore> {
  const where = redactedDatabaseUrl(url);
  const pool = openPool(url, PG_CONNECTIONS);
  try {
    await migratePg(pool, where);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw translatePgError(error, where);
  }
  return pgStore(pool, where, blobs, options);
}

/** Opens (creating when needed) the store in `dataDir` (SQLite); any number of processes may open the same one. */
export async function openStore(dataDir: string, options?: Partial<StoreOptions>): Promise<SqliteStore>;
/** Opens the store where `location` says: PostgreSQL when it has a database URL, else SQLite in its data dir. */
export async function openStore(location: StoreLocation, options?: Partial<StoreOptions>): Promise<Store>;
export async function openStore(location: string | StoreLocation, options: Partial<StoreOptions> = {}): Promise<Store> {
  const { dataDir, databaseUrl, blobDir } = typeof location === 'string' ? { dataDir: location } as StoreLocation : location;
  const resolved = resolveStoreOptions(options);
  ensureDataDir(dataDir);
  const blobs = BlobStore.open(blobDir ?? join(dataDir, BLOB_DIR), resolved.maxBlobBytes);
  return databaseUrl ? openPgStore(databaseUrl, blobs, resolved) : openSqliteStore(dataDir, blobs, resolved);
}
