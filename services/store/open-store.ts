// Opens the store of record in a data dir: `gradebox.sqlite` (migrated to the newest schema) and `blobs/`.
import { closeSync, constants, fchmodSync, fstatSync, mkdirSync, openSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { UserError } from '../common/errors.js';
import { BlobStore } from './blob-store.js';
import { migrate } from './migrations.js';
import { openDatabase } from './sqlite-connection.js';
import { translateSqliteError } from './sqlite-errors.js';
import { sqliteStore, type SqliteStore } from './sqlite-store.js';
import { resolveStoreOptions, type StoreOptions } from './store-options.js';

export const DATABASE_FILE = 'gradebox.sqlite';
export const BLOB_DIR = 'blobs';

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

/** Opens (creating when needed) the store in `dataDir`; any number of processes may open the same one. */
export async function openStore(dataDir: string, options: Partial<StoreOptions> = {}): Promise<SqliteStore> {
  const resolved = resolveStoreOptions(options);
  ensureDataDir(dataDir);
  const blobs = BlobStore.open(join(dataDir, BLOB_DIR), resolved.maxBlobBytes);
  const file = join(dataDir, DATABASE_FILE);
  privateDatabaseFile(file);
  const db = openDatabase(file, resolved.busyTimeoutMs);
  try {
    migrate(db, file);
  } catch (error) {
    db.close();
    throw translateSqliteError(error, file);
  }
  return sqliteStore(db, file, blobs, resolved);
}
