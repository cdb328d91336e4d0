// The unprivileged account the API runs as. Root starts it (gradebox start) or drops to it (CLI
// commands that write the API's store), so the store's files always belong to that account.
import { execFileSync } from 'node:child_process';
import { chownSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { InternalError, UserError } from '../common/errors.js';

export interface ServiceUser {
  name: string;
  uid: number;
  gid: number;
}

/** Looks the account up (getent: also NSS accounts); root is refused, the API never runs as root. */
export function lookUpServiceUser(name: string): ServiceUser {
  let line: string;
  try {
    line = execFileSync('getent', ['passwd', name], { encoding: 'utf8' }).trim();
  } catch {
    throw new UserError('E_SERVICE_USER', `no user "${name}" on this host: run infra/install.sh (it creates it), or set GRADEBOX_USER to an unprivileged account`);
  }
  const [, , uid, gid] = line.split(':');
  const user = { name, uid: Number(uid), gid: Number(gid) };
  if (!Number.isInteger(user.uid) || !Number.isInteger(user.gid)) throw new InternalError('E_SERVICE_USER', `getent passwd ${name} gave "${line}"`);
  if (user.uid === 0) throw new UserError('E_SERVICE_USER', `GRADEBOX_USER=${name} is root; the API must run unprivileged: pick another account`);
  return user;
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** Gives a folder tree to the account, without following links (a link's own owner changes). */
export function chownTree(dir: string, user: ServiceUser): void {
  const st = lstatSync(dir);
  if (st.isSymbolicLink()) return;
  if (st.uid !== user.uid || st.gid !== user.gid) chownSync(dir, user.uid, user.gid);
  if (st.isDirectory()) for (const name of readdirSync(dir)) chownTree(join(dir, name), user);
}

/** For one-shot CLI commands run by root: become the service account for good. */
export function becomeServiceUser(user: ServiceUser): void {
  process.setgroups?.([]);
  process.setgid?.(user.gid);
  process.setuid?.(user.uid);
}
