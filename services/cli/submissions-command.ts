// `gradebox submissions show ID [--data DIR] [--database URL]`: a submission's whole record as JSON, for operators:
// every grading's result (internal problems included) or failure detail under the reference
// students are shown, its incidents and events.
import { UsageError, UserError } from '../common/errors.js';
import { dropToServiceUser } from '../account/privileges.js';
import { operatorRecord } from '../api/operator-record.js';
import { openStore } from '../store/open-store.js';
import { redactedDatabaseUrl } from '../store/pg-connection.js';
import { parseFlags } from './args.js';
import { STORE_FLAGS, storeLocation } from './store-location.js';

const USAGE = 'usage: gradebox submissions show ID [--data DIR] [--database URL] (ID: sub_…, or a reference sub_….N students were shown)';

export async function submissionsCommand(argv: string[], print: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  const [action, ...rest] = argv;
  const { values, positionals } = parseFlags(rest, { ...STORE_FLAGS }, true);
  if (action !== 'show' || positionals.length !== 1) throw new UsageError(USAGE);
  // A reference is the submission id and a grade number: either names the submission.
  const id = positionals[0]!.replace(/\.\d+$/, '');
  const location = storeLocation(values);
  dropToServiceUser(location.dataDir);
  const store = await openStore(location);
  try {
    const submission = await store.getSubmission(id);
    if (!submission) throw new UserError('E_NOT_FOUND', `no submission ${id} in the store of ${location.databaseUrl ? redactedDatabaseUrl(location.databaseUrl) : location.dataDir}; check the id, or give --data DIR / --database URL`);
    print(`${JSON.stringify(await operatorRecord(store, submission), null, 2)}\n`);
  } finally {
    await store.close();
  }
  return 0;
}
