// What each SQLite operation module is given: the connection, the blob files and the store's caps.
import type { BlobStore } from './blob-store.js';
import type { SqliteDatabase } from './sqlite-connection.js';
import type { StoreOptions } from './store-options.js';

export interface SqliteContext {
  readonly db: SqliteDatabase;
  /** Blobs kept as files (big uploads, evidence, grader snapshots). */
  readonly blobs: BlobStore;
  readonly options: StoreOptions;
}
