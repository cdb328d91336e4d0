// The store a command works on: the one resolved data folder (--data, else GRADEBOX_DATA, else the
// documented default of config.ts), opened as the service account, and named on standard error so
// the operator always knows which store a command changed (standard output stays the command's).
import { userInfo } from 'node:os';
import { resolve } from 'node:path';

import { dropToServiceUser } from '../account/privileges.js';
import { recordStaffAction } from '../audit/staff-audit.js';
import type { AuditData } from '../audit/audit-chain.js';
import { config } from '../common/config.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';

/** The --data line of every store command's help. */
export const DATA_HELP = '  --data DIR        the data folder (default: GRADEBOX_DATA, else /var/lib/gradebox/data as root,\n'
  + '                    ~/.local/share/gradebox for another user), the same for every command\n';

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

/** Opens the store, runs `work`, closes it. */
export async function withCommandStore<T>(dataFlag: string | undefined, work: (opened: CommandStore) => Promise<T>): Promise<T> {
  const dataDir = resolve(dataFlag ?? config().dataDir);
  const actor = operatorName();
  dropToServiceUser(dataDir);
  const store = await openStore(dataDir);
  process.stderr.write(`gradebox: store ${store.file}\n`);
  try {
    return await work({
      store, dataDir,
      audit: async (type, courseId, data) => { await recordStaffAction(store, { actor, type, courseId, data }); },
    });
  } finally {
    await store.close();
  }
}
