// Opening files in folders someone else controls without following a link (CWE-59). Node has no
// openat(2), so a name is opened beneath a folder's descriptor through /proc/self/fd/N, which is
// that very folder however its path has been renamed or replaced since it was opened.
import { closeSync, constants, openSync } from 'node:fs';

import { InternalError } from './errors.js';

/**
 * Linux's O_PATH (open(2)): a handle on the name itself, with no access and no side effect (a
 * FIFO does not block, a device is not opened). Node does not export it.
 */
export const O_PATH = 0o10000000;

/** The path of `name` inside the folder open on `dirFd`. */
export function beneath(dirFd: number, name: string): string {
  if (name === '' || name === '.' || name === '..' || name.includes('/')) {
    throw new InternalError('E_NO_FOLLOW', `"${name}" is not a single name inside a folder`);
  }
  return `/proc/self/fd/${dirFd}/${name}`;
}

/** openat(dirFd, name, flags | O_NOFOLLOW): a link at `name` is refused (ELOOP), never followed. */
export function openBeneath(dirFd: number, name: string, flags: number, mode?: number): number {
  return openSync(beneath(dirFd, name), flags | constants.O_NOFOLLOW, mode);
}

/**
 * Reopens what an O_PATH descriptor holds with real access (fchown and reading need it): the
 * object opened is the one the descriptor was checked to be, not whatever has its name now.
 */
export function reopen(pathFd: number, flags: number): number {
  return openSync(`/proc/self/fd/${pathFd}`, flags);
}

/**
 * Opens an absolute path one name at a time from `/`, refusing a link anywhere on the way (ELOOP):
 * for a path that has none, such as realpath(3) gives, which someone may have changed since.
 */
export function openWithoutLinks(path: string, flags: number): number {
  if (!path.startsWith('/')) throw new InternalError('E_NO_FOLLOW', `"${path}" is not an absolute path`);
  const names = path.split('/').filter((name) => name !== '');
  let dirFd = openSync('/', O_PATH | constants.O_DIRECTORY);
  try {
    for (const name of names.slice(0, -1)) {
      const next = openBeneath(dirFd, name, O_PATH | constants.O_DIRECTORY);
      closeSync(dirFd);
      dirFd = next;
    }
    const last = names.at(-1);
    return last === undefined ? reopen(dirFd, flags) : openBeneath(dirFd, last, flags);
  } finally {
    closeSync(dirFd);
  }
}
