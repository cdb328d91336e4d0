// What a Kattis output validator or interactor wrote in its feedback folder (problemarchive.org,
// "Reporting additional feedback"): teammessage.txt for the team, judgemessage.txt for the judges.
// The folder came back from the sandbox without links (--box-out); each file is still opened
// without following one, and read up to a cap: the program is untrusted.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';

/** More than a student or an operator reads of one message. */
const MESSAGE_BYTES = 64 * 1024;

function readMessage(path: string): string {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return '';
  }
  try {
    if (!fstatSync(fd).isFile()) return '';
    const bytes = Buffer.alloc(MESSAGE_BYTES);
    let at = 0;
    for (let n = -1; n !== 0 && at < bytes.length; at += n) n = readSync(fd, bytes, at, bytes.length - at, null);
    return bytes.subarray(0, at).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/**
 * The messages in `folder`. Students see the team message only: the judge message is for judges
 * (the format's words) and may tell the answer; operators get it with the failure of a validator.
 */
export function readFeedback(folder: string): { team: string; judge: string } {
  return { team: readMessage(join(folder, 'teammessage.txt')), judge: readMessage(join(folder, 'judgemessage.txt')) };
}
