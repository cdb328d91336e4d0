// `gradebox audit verify|tail`: checks the hash chain of gradebox's security audit log, or shows its end.
import { tailAuditLog, verifyAuditLog, type VerifyResult } from '../audit/audit-log.js';
import { verifyStaffAudit } from '../audit/staff-audit.js';
import { config } from '../common/config.js';
import { UsageError } from '../common/errors.js';
import { integerFlag, parseFlags } from './args.js';
import { STORE_FLAGS } from './store-location.js';
import { withCommandStore } from './command-store.js';

const HELP = `usage: gradebox audit verify [--log PATH]      check every line of the log's hash chain
       gradebox audit tail [--log PATH] [-n N]   print the last N lines (default 10), unchecked
       gradebox audit verify --staff [--data DIR] check the staff actions' chain in the store
       gradebox audit tail --staff [--data DIR] [-n N]

  --log PATH    the security audit log (default: ${config().auditLog})
  --staff       the staff audit trail instead (who changed which course, grader, key, release or
                role, and when), kept in the store of --data DIR (default: GRADEBOX_DATA, else
                /var/lib/gradebox/data as root)
  -n, --lines N how many lines tail prints, 1..100000

Exit status: 0 when the log is intact, 3 when verify finds a bad line (it prints the line number
and why), 2 for bad usage or no log at PATH, 1 for an internal error.
`;

/** verify's status for a broken chain: apart from 1 (internal error) and 2 (usage), as `cmp` keeps 1 apart from 2. */
export const EXIT_BROKEN = 3;
const MAX_TAIL = 100_000;

type Print = (text: string) => void;

function report(result: VerifyResult, print: Print): number {
  if (!result.ok) {
    print(`audit log broken at line ${result.line}: ${result.reason}\n`);
    return EXIT_BROKEN;
  }
  print(`ok: ${result.lines} lines, head sha256:${result.head}\n`);
  return 0;
}

/** The staff chain, read from the store: the newest `count` lines, oldest first. */
async function staffCommand(action: string, count: number, flags: { data?: string; database?: string }, print: Print): Promise<number> {
  return withCommandStore(flags, async ({ store }) => {
    if (action === 'verify') return report(await verifyStaffAudit(store), print);
    const lines = await store.listAuditLines({ limit: count });
    for (const line of lines.reverse()) print(`${line.line}\n`);
    return 0;
  });
}

function tail(path: string, count: number, print: Print): number {
  for (const line of tailAuditLog(path, count)) print(`${line}\n`);
  return 0;
}

/** Runs `gradebox audit ...`; `print` receives everything meant for standard output. */
export async function auditCommand(argv: string[], print: Print = (text) => void process.stdout.write(text)): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    log: { type: 'string' }, lines: { type: 'string', short: 'n' }, help: { type: 'boolean', short: 'h' },
    staff: { type: 'boolean' }, ...STORE_FLAGS,
  }, true);
  if (values.help) {
    print(HELP);
    return 0;
  }
  const [action, ...extra] = positionals;
  if (action === undefined || extra.length > 0) throw new UsageError(`expected one action, verify or tail\n\n${HELP}`);
  if (values.log === '') throw new UsageError('--log needs a path');
  if (values.staff && values.log !== undefined) throw new UsageError('--staff reads the store (--data), not a log file: leave --log out');
  if (!values.staff && (values.data !== undefined || values.database !== undefined)) throw new UsageError('--data and --database go with --staff');
  if (values.staff && (action === 'verify' || action === 'tail')) {
    if (action === 'verify' && values.lines !== undefined) throw new UsageError('-n goes with "audit tail" only');
    const count = integerFlag('-n', values.lines) ?? 10;
    if (count < 1 || count > MAX_TAIL) throw new UsageError(`-n must be between 1 and ${MAX_TAIL}, got ${count}`);
    return staffCommand(action, count, values, print);
  }
  const path = values.log ?? config().auditLog;
  switch (action) {
    case 'verify':
      if (values.lines !== undefined) throw new UsageError('-n goes with "audit tail" only');
      return report(await verifyAuditLog(path), print);
    case 'tail': {
      const count = integerFlag('-n', values.lines) ?? 10;
      if (count < 1 || count > MAX_TAIL) throw new UsageError(`-n must be between 1 and ${MAX_TAIL}, got ${count}`);
      return tail(path, count, print);
    }
    default:
      throw new UsageError(`unknown audit action "${action}"; use verify or tail`);
  }
}
