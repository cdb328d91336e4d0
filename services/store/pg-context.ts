// What each PostgreSQL operation module is given: the pool, the blob files and the store's caps.
import type { BlobStore } from './blob-store.js';
import type { PgPool } from './pg-connection.js';
import type { StoreOptions } from './store-options.js';

export interface PgContext {
  readonly pool: PgPool;
  /** Blobs too big to keep in the database, as files in a folder every API process shares. */
  readonly blobs: BlobStore;
  readonly options: StoreOptions;
}
