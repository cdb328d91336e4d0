// The API runs as the service account and still loads code from the install folder after giving
// root away: an install that account cannot read is refused at the start, with how to fix it,
// rather than failing at the first request that needs a module loaded late.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { checkInstallReadable, readableBy } from '../../services/account/install-readable.js';
import { lookUpServiceUser } from '../../services/account/service-user.js';
import { config } from '../../services/common/config.js';
import { UserError } from '../../services/common/errors.js';
import { packageRoot } from '../../services/common/package-root.js';
import { removeTempDirs, tempDir } from '../support/helpers.js';

test.after(removeTempDirs);

const user = lookUpServiceUser(config().serviceUser);

test('an install inside a private folder (a home such as /root) is refused with how to fix it; an open one is not', () => {
  const home = tempDir('gradebox-home-');
  const install = join(home, 'gradebox');
  mkdirSync(install);
  writeFileSync(join(install, 'package.json'), '{}\n', { mode: 0o644 });
  chmodSync(home, 0o700);
  assert.is(readableBy(user, join(install, 'package.json')), false);
  let refused: unknown;
  try {
    checkInstallReadable(user, install);
  } catch (error) {
    refused = error;
  }
  assert.ok(refused instanceof UserError);
  assert.is((refused as UserError).code, 'E_INSTALL_UNREADABLE');
  assert.match((refused as Error).message, /\/opt\/gradebox/);
  chmodSync(home, 0o755);
  assert.is(readableBy(user, join(install, 'package.json')), true);
  checkInstallReadable(user, install);
});

test('this checkout is readable by the service account (as the service tests need)', () => {
  assert.ok(readableBy(user, join(packageRoot, 'package.json')), `${packageRoot} must be readable by ${user.name}`);
});

test.run();
