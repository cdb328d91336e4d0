// `gradebox audit verify|tail`: checks the hash chain of gradebox's security audit log, or shows its end.
import { tailAuditLog, verifyAuditLog } from '../audit/audit-log.js';
import { config } from '../common/config.js';
import { UsageError } from '../common/errors.js';
import { integerFlag, parseFlags } from './args.js';

const HELP = `usage: gradebox audit verify [--log PATH]      check every line of the log's hash chain
       gradebox audit tail [--log PATH] [-n N]   print the last N lines (default 10), unchecked

  --log PATH    the audit log (default: ${config().auditLog})
  -n, --lines N how many lines tail prints, 1..100000

Exit status: 0 when the log is intact, 3 when verify finds a bad line (it prints the line number
and why), 2 for bad usage or no log at PATH, 1 for an internal error.
`;

/** verify's status for a broken chain: apart from 1 (internal error) and 2 (usage), as `cmp` keeps 1 apart from 2. */
export const EXIT_BROKEN = 3;
const MAX_TAIL = 100_000;

type Print = (text: string) => void;

async function verify(path: string, print: Print): Promise<number> {
  const result = await verifyAuditLog(path);
  if (!result.ok) {
    print(`audit log broken at line ${result.line}: ${result.reason}\n`);
    return EXIT_BROKEN;
  }
  print(`ok: ${result.lines} lines, head sha256:${result.head}\n`);
  return 0;
}

function tail(path: string, count: number, print: Print): number {
  for (const line of tailAuditLog(path, count)) print(`${line}\n`);
  return 0;
}

/** Runs `gradebox audit ...`; `print` receives everything meant for standard output. */
export async function auditCommand(argv: string[], print: Print = (text) => void process.stdout.write(text)): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    log: { type: 'string' }, lines: { type: 'string', short: 'n' }, help: { type: 'boolean', short: 'h' },
  }, true);
  if (values.help) {
    print(HELP);
    return 0;
  }
  const [action, ...extra] = positionals;
  if (action === undefined || extra.length > 0) throw new UsageError(`expected one action, verify or tail\n\n${HELP}`);
  if (values.log === '') throw new UsageError('--log needs a path');
  const path = values.log ?? config().auditLog;
  switch (action) {
    case 'verify':
      if (values.lines !== undefined) throw new UsageError('-n goes with "audit tail" only');
      return verify(path, print);
    case 'tail': {
      const count = integerFlag('-n', values.lines) ?? 10;
      if (count < 1 || count > MAX_TAIL) throw new UsageError(`-n must be between 1 and ${MAX_TAIL}, got ${count}`);
      return tail(path, count, print);
    }
    default:
      throw new UsageError(`unknown audit action "${action}"; use verify or tail`);
  }
}
