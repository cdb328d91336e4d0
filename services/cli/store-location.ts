// Where the commands that open the store find it: the data folder (--data DIR or GRADEBOX_DATA) and,
// for PostgreSQL, the database (--database URL or DATABASE_URL; the variable is better: any local
// user can read a command line, and the URL may hold a password).
import { resolve } from 'node:path';

import { config } from '../common/config.js';
import type { StoreLocation } from '../store/open-store.js';

/** The flags of every command that opens the store. */
export const STORE_FLAGS = { data: { type: 'string' }, database: { type: 'string' } } as const;

export function storeLocation(values: { data?: string; database?: string }): Required<Pick<StoreLocation, 'dataDir'>> & StoreLocation {
  return { dataDir: resolve(values.data ?? config().dataDir), databaseUrl: values.database ?? config().databaseUrl, blobDir: config().blobDir };
}
