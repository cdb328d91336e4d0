// The unprivileged account the API runs as. Root starts it (gradebox start) or drops to it (CLI
// commands that write the API's store), so the store's files always belong to that account.
import { execFileSync } from 'node:child_process';

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

/** For one-shot CLI commands run by root: become the service account for good. */
export function becomeServiceUser(user: ServiceUser): void {
  process.setgroups?.([]);
  process.setgid?.(user.gid);
  process.setuid?.(user.uid);
}
