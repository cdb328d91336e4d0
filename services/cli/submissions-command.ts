// `gradebox submissions show ID [--data DIR]`: a submission's whole record as JSON, for operators:
// every grading's result (internal problems included) or failure detail under the reference
// students are shown, its incidents and events.
import { UsageError, UserError } from '../common/errors.js';
import { operatorRecord } from '../api/operator-record.js';
import { parseFlags } from './args.js';
import { STORE_FLAGS } from './store-location.js';
import { DATA_HELP, withCommandStore } from './command-store.js';

export const SUBMISSIONS_HELP = `usage: gradebox submissions show ID [--data DIR]

  ID                sub_…, or a reference sub_….N that a student was shown
${DATA_HELP}
Prints the submission's whole record as JSON, for operators: every grading's result with its
internal problems, or its failure's detail; incidents; events.
`;
const USAGE = SUBMISSIONS_HELP;

export async function submissionsCommand(argv: string[], print: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  const [action, ...rest] = argv;
  const { values, positionals } = parseFlags(rest, { ...STORE_FLAGS }, true);
  if (action !== 'show' || positionals.length !== 1) throw new UsageError(USAGE);
  // A reference is the submission id and a grade number: either names the submission.
  const id = positionals[0]!.replace(/\.\d+$/, '');
  return withCommandStore(values, async ({ store, dataDir }) => {
    const submission = await store.getSubmission(id);
    if (!submission) throw new UserError('E_NOT_FOUND', `no submission ${id} in the store of ${dataDir}; check the id, or give --data DIR`);
    print(`${JSON.stringify(await operatorRecord(store, submission), null, 2)}\n`);
    return 0;
  });
}
