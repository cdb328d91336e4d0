// Root gives the data folder to the service account at every start, and makes it private. That
// account owns the folder and may have planted links in it, or swap a file for a link while the
// walk runs, so nothing here is reached by its path (CWE-59, CWE-367): each entry is opened
// beneath its folder's descriptor without following a link, only regular files and folders are
// changed, and they are changed by descriptor (fchown(2), fchmod(2)) on the object that was checked.
import { closeSync, constants, fchmodSync, fchownSync, fstatSync, mkdirSync, openSync, readdirSync, type Stats } from 'node:fs';

import { InternalError, UserError } from '../common/errors.js';
import { beneath, O_PATH, openBeneath, reopen } from '../common/no-follow.js';
import type { ServiceUser } from './service-user.js';

/** Deeper than any folder gradebox makes (blobs/ab/…): a deeper tree is not ours. */
const MAX_DEPTH = 32;

function given(st: Stats, user: ServiceUser, mode: number): boolean {
  return st.uid === user.uid && st.gid === user.gid && (st.mode & 0o7777) === mode;
}

/** Owner the account, and nothing for group or others: the data holds every student's files. */
function give(fd: number, st: Stats, user: ServiceUser, mode: number): void {
  if (st.uid !== user.uid || st.gid !== user.gid) fchownSync(fd, user.uid, user.gid);
  if ((st.mode & 0o7777) !== mode) fchmodSync(fd, mode);
}

/** The data folder itself: a link at its name is refused (the folders above it are the operator's). */
function openTop(dir: string): number {
  try {
    return openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'ENOTDIR') {
      throw new UserError('E_DATA_DIR', `the data folder ${dir} is a link or not a folder; give the real path of a folder (--data or GRADEBOX_DATA)`);
    }
    throw error;
  }
}

/** Makes the folder `name` inside the open folder `dirFd` unless something has that name: mkdir(2) never follows it. */
function makeFolderBeneath(dirFd: number, name: string): void {
  try {
    mkdirSync(beneath(dirFd, name), { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

/**
 * Gives the tree at `dir` (which must not be a link) to `user`: owner and group the account's,
 * the top folder 0700, every other file and folder keeping only its owner's bits. Links, sockets,
 * FIFOs and devices are left as they are, and nothing is followed. The folders named in `make`
 * are made first inside `dir` (through its descriptor, not its path) when missing.
 */
export function giveTree(dir: string, user: ServiceUser, make: readonly string[] = []): void {
  const top = openTop(dir);
  try {
    for (const name of make) makeFolderBeneath(top, name);
    give(top, fstatSync(top), user, 0o700);
    giveEntries(top, user, 1);
  } finally {
    closeSync(top);
  }
}

function giveEntries(dirFd: number, user: ServiceUser, depth: number): void {
  if (depth > MAX_DEPTH) throw new InternalError('E_DATA_DIR', `the data folder nests folders deeper than ${MAX_DEPTH}; it holds something gradebox did not make`);
  for (const name of readdirSync(`/proc/self/fd/${dirFd}`)) {
    let handle: number;
    try {
      handle = openBeneath(dirFd, name, O_PATH);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // removed meanwhile
      throw error;
    }
    try {
      const st = fstatSync(handle);
      if (st.isFile() || st.isDirectory()) giveEntry(handle, st, user, depth);
    } finally {
      closeSync(handle);
    }
  }
}

function giveEntry(handle: number, st: Stats, user: ServiceUser, depth: number): void {
  const mode = st.mode & 0o700;
  if (st.isFile() && given(st, user, mode)) return; // most files, at every start: nothing to open
  // O_NONBLOCK: an open never waits (on a lease the account holds, say); it fails instead.
  const fd = reopen(handle, st.isDirectory() ? constants.O_RDONLY | constants.O_DIRECTORY : constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    give(fd, st, user, mode);
    if (st.isDirectory()) giveEntries(fd, user, depth + 1);
  } finally {
    closeSync(fd);
  }
}
