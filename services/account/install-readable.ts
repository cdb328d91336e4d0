// The API gives root away once it has started, and Node and its packages still load code from the
// install folder after that (a JSON body's decoder, on the first request that has one): an install
// the service account cannot read fails then, far from its cause, so it is refused at the start.
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';

import { UserError } from '../common/errors.js';
import { packageRoot } from '../common/package-root.js';

/**
 * Called as the service account (after root was given away): a UserError saying how to fix it
 * when this process cannot read gradebox's own files.
 */
export function checkInstallReadable(accountName: string, root = packageRoot): void {
  try {
    accessSync(join(root, 'package.json'), constants.R_OK);
  } catch {
    throw new UserError('E_INSTALL_UNREADABLE', `the account ${accountName} (the API runs as it) cannot read gradebox's files in ${root}: `
      + 'put gradebox in a folder every account can read (e.g. /opt/gradebox; a home folder such as /root is private), or open the folders above it to others');
  }
}
