// The API runs as the service account and still loads code from the install folder after giving
// root away: an install that account cannot read is refused at the start, with how to fix it,
// rather than failing at the first request that needs a module loaded late.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { lookUpServiceUser } from '../../services/account/service-user.js';
import { config } from '../../services/common/config.js';
import { fromPackageRoot, packageRoot } from '../../services/common/package-root.js';
import { removeTempDirs, tempDir } from '../support/helpers.js';

test.after(removeTempDirs);

const user = lookUpServiceUser(config().serviceUser);

/** checkInstallReadable of `root`, run as the service account: its exit status and what it printed. */
function checkAsServiceUser(root: string): { status: number | null; stderr: string } {
  const module = fromPackageRoot('dist', 'services', 'account', 'install-readable.js');
  const script = `import(process.argv[1]).then((m) => m.checkInstallReadable(${JSON.stringify(user.name)}, process.argv[2]))`;
  const run = spawnSync(process.execPath, ['-e', script, module, root], { uid: user.uid, gid: user.gid, encoding: 'utf8', env: {} });
  return { status: run.status, stderr: run.stderr };
}

test('an install inside a private folder (a home such as /root) is refused with how to fix it; an open one is not', () => {
  const home = tempDir('gradebox-home-');
  const install = join(home, 'gradebox');
  mkdirSync(install);
  writeFileSync(join(install, 'package.json'), '{}\n', { mode: 0o644 });
  chmodSync(home, 0o700);
  const refused = checkAsServiceUser(install);
  assert.is.not(refused.status, 0);
  assert.match(refused.stderr, /E_INSTALL_UNREADABLE|cannot read gradebox's files/);
  assert.match(refused.stderr, /\/opt\/gradebox/);
  chmodSync(home, 0o755);
  assert.equal(checkAsServiceUser(install), { status: 0, stderr: '' });
});

test('this checkout is readable by the service account (as the service tests need)', () => {
  assert.equal(checkAsServiceUser(packageRoot), { status: 0, stderr: '' }, `${packageRoot} must be readable by ${user.name}`);
});

test.run();
