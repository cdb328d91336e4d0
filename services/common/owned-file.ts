// Reading a small secret (a token) as root from a folder another account may control: the file
// must be the very file it claims to be. No link is followed at its name (CWE-59), nothing but a
// regular file is read (a FIFO would hang the open), and it must belong to a trusted owner, be
// writable by nobody else, and have no second name (a hard link to another file).
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';

export interface OwnedFileRules {
  /** Accounts that may own the file (root and the account that writes it). */
  owners: readonly number[];
  /** Largest size read. */
  maxBytes: number;
  /** A bigger file is read from its last `maxBytes` (a log's tail) instead of being refused. @defaultValue false */
  tail?: boolean;
}

/** The file's text, or why it is not read (a sentence that never quotes the file's content). */
export function readOwnedFile(path: string, rules: OwnedFileRules): { text: string } | { problem: string } {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return { problem: 'it is a symbolic link; give the file itself' };
    return { problem: `cannot read it (${code ?? String(error)})` };
  }
  try {
    const st = fstatSync(fd);
    const problem = ownershipProblem(st, rules);
    if (problem) return { problem };
    const from = Math.max(0, st.size - rules.maxBytes);
    const content = Buffer.alloc(st.size - from);
    let at = 0;
    for (let n = -1; n !== 0 && at < content.length; at += n) n = readSync(fd, content, at, content.length - at, from + at);
    return { text: content.subarray(0, at).toString('utf8') };
  } finally {
    closeSync(fd);
  }
}

function ownershipProblem(st: Stats, rules: OwnedFileRules): string | null {
  if (!st.isFile()) return 'it is not a regular file';
  if (!rules.owners.includes(st.uid)) return `it belongs to uid ${st.uid}, not to root or the service account; chown it`;
  if (st.mode & 0o022) return `group or others may write it (mode ${(st.mode & 0o777).toString(8)}); chmod 600 it`;
  if (st.nlink !== 1) return `it has ${st.nlink} names (hard links); give a file of its own`;
  if (st.size > rules.maxBytes && !rules.tail) return `it is ${st.size} bytes, more than the ${rules.maxBytes} expected`;
  return null;
}
