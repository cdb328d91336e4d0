// Opens the store of record in a data dir: `gradebox.sqlite` (migrated to the newest schema) and `blobs/`.
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { UserError } from '../common/errors.js';
import { BlobStore } from './blob-store.js';
import { migrate } from './migrations.js';
import { openDatabase } from './sqlite-connection.js';
import { translateSqliteError } from './sqlite-errors.js';
import { SqliteStore } from './sqlite-store.js';
import { resolveStoreOptions, type StoreOptions } from './store-options.js';

export const DATABASE_FILE = 'gradebox.sqlite';
export const BLOB_DIR = 'blobs';

function ensureDataDir(dataDir: string): void {
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o750 });
    if (!statSync(dataDir).isDirectory()) throw new Error('not a folder');
  } catch (error) {
    throw new UserError('E_STORE_DIR', `cannot use ${JSON.stringify(dataDir)} as the data dir (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); give a folder gradebox may write`);
  }
}

/** Opens (creating when needed) the store in `dataDir`; any number of processes may open the same one. */
export async function openStore(dataDir: string, options: Partial<StoreOptions> = {}): Promise<SqliteStore> {
  const resolved = resolveStoreOptions(options);
  ensureDataDir(dataDir);
  const blobs = BlobStore.open(join(dataDir, BLOB_DIR), resolved.maxBlobBytes);
  const file = join(dataDir, DATABASE_FILE);
  const db = openDatabase(file, resolved.busyTimeoutMs);
  try {
    migrate(db, file);
  } catch (error) {
    db.close();
    throw translateSqliteError(error, file);
  }
  return new SqliteStore(db, file, blobs, resolved);
}
