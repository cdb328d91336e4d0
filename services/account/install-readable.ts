// The API gives root away once it has started, and Node and its packages still load code from the
// install folder after that (a JSON body's decoder, on the first request that has one): an install
// the service account cannot read fails then, far from its cause, so it is refused at the start.
import { execFileSync } from 'node:child_process';

import { UserError } from '../common/errors.js';
import { packageRoot } from '../common/package-root.js';
import type { ServiceUser } from './service-user.js';

/** Whether `user` can open `file` (every folder above it searchable): tried as that user. */
export function readableBy(user: ServiceUser, file: string): boolean {
  try {
    execFileSync(process.execPath, ['-e', 'require("node:fs").closeSync(require("node:fs").openSync(process.argv[1], "r"))', file],
      { uid: user.uid, gid: user.gid, stdio: 'ignore', env: {} });
    return true;
  } catch {
    return false;
  }
}

/** A UserError saying how to fix it when the service account cannot read gradebox's own files. */
export function checkInstallReadable(user: ServiceUser, root = packageRoot): void {
  if (readableBy(user, `${root}/package.json`)) return;
  throw new UserError('E_INSTALL_UNREADABLE', `the account ${user.name} (the API runs as it) cannot read gradebox's files in ${root}: `
    + 'put gradebox in a folder every account can read (e.g. /opt/gradebox; a home folder such as /root is private), or open the folders above it to others');
}
