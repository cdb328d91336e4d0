// The store a command works on: the one resolved data folder (--data, else GRADEBOX_DATA, else the
// documented default of config.ts), opened as the service account, and named on standard error so
// the operator always knows which store a command changed (standard output stays the command's).
import { userInfo } from 'node:os';
import { join } from 'node:path';

import { dropToServiceUser } from '../account/privileges.js';
import { recordStaffAction } from '../audit/staff-audit.js';
import type { AuditData } from '../audit/audit-chain.js';
import { DATABASE_FILE, openStore, type StoreLocation } from '../store/open-store.js';
import { redactedDatabaseUrl } from '../store/pg-connection.js';
import type { Store } from '../store/store.js';
import { storeLocation } from './store-location.js';

/** The --data line of every store command's help. */
export const DATA_HELP = '  --data DIR        the data folder (default: GRADEBOX_DATA, else /var/lib/gradebox/data as root,\n'
  + '                    ~/.local/share/gradebox for another user), the same for every command\n'
  + '  --database URL    the store in PostgreSQL (default: DATABASE_URL; prefer the variable); unset: SQLite in the data folder\n';

export interface CommandStore {
  store: Store;
  dataDir: string;
  /** Writes a staff action into the audit trail, naming the person at the terminal. */
  audit: (type: string, courseId: string | null, data?: AuditData) => Promise<void>;
}

/** Who runs the command: the person behind sudo, else the account (read before dropping to the service account). */
function operatorName(): string {
  return `cli:${process.env.SUDO_USER || userInfo().username}`;
}

/** How the message names a store: its database (without a password) or its SQLite file. */
function storeName(location: StoreLocation): string {
  return location.databaseUrl ? redactedDatabaseUrl(location.databaseUrl) : join(location.dataDir, DATABASE_FILE);
}

/** Opens the store the flags (--data, --database) or the configuration name, runs `work`, closes it. */
export async function withCommandStore<T>(flags: { data?: string; database?: string }, work: (opened: CommandStore) => Promise<T>): Promise<T> {
  const location = storeLocation(flags);
  const dataDir = location.dataDir;
  const actor = operatorName();
  dropToServiceUser(dataDir);
  const store = await openStore(location);
  process.stderr.write(`gradebox: store ${storeName(location)}\n`);
  try {
    return await work({
      store, dataDir,
      audit: async (type, courseId, data) => { await recordStaffAction(store, { actor, type, courseId, data }); },
    });
  } finally {
    await store.close();
  }
}
