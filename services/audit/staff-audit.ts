// The audit trail of staff actions (who changed which course, grader, key, release or role, and
// when): lines of the same format as the security audit log (audit-chain.ts: each line carries the
// sha256 of the line before it and its own), kept in the store of record rather than a file, so that
// every API process and the command line append to one chain, which `gradebox audit verify --staff`
// checks like the file.
import { checkLine, makeLine, parseLine, sha256, START, type AuditData, type AuditEntry, type ChainLink } from './audit-chain.js';
import type { AuditLine, Store } from '../store/store.js';
import type { VerifyResult } from './audit-log.js';

/** What a staff action records: who, what (a dotted type such as `assignment.published`), in which course. */
export interface StaffAction {
  actor: string;
  type: string;
  courseId: string | null;
  data?: AuditData;
}

function linkAfter(last: AuditLine | null): ChainLink {
  return last ? { seq: last.seq, digest: sha256(last.line) } : START;
}

/** Appends the action to the staff chain; resolves with the line as written. */
export async function recordStaffAction(store: Store, action: StaffAction): Promise<AuditEntry> {
  let entry: AuditEntry | undefined;
  await store.appendAuditLine(action.courseId, (last) => {
    const made = makeLine(linkAfter(last), `staff.${action.type}`, { actor: action.actor, course: action.courseId, ...action.data }, new Date());
    entry = made.entry;
    return { seq: made.entry.seq, line: made.text };
  });
  return entry!;
}

/** A stored line, parsed (a line that does not parse is shown as its reason: verify names it). */
export function staffEntry(line: AuditLine): AuditEntry | { seq: number; unreadable: string } {
  const entry = parseLine(Buffer.from(line.line));
  return typeof entry === 'string' ? { seq: line.seq, unreadable: entry } : entry;
}

const PAGE = 1000;

/** Checks the whole staff chain, as verifyAuditLog checks the file: the first bad line (its seq) and why. */
export async function verifyStaffAudit(store: Store): Promise<VerifyResult> {
  let link = START;
  let number = 0;
  for (;;) {
    const lines = await store.readAuditChain(link.seq, PAGE);
    for (const line of lines) {
      number++;
      const checked = checkLine(Buffer.from(line.line), number, link);
      if ('reason' in checked) return { ok: false, line: number, reason: checked.reason };
      link = checked.next;
    }
    if (lines.length < PAGE) return { ok: true, lines: number, head: link.digest };
  }
}
