// Fixes found in review, each shown with the real launcher: a reader that goes away, a hostile
// stdin path, empty arguments, a tight descriptor limit, a submission too large for /box.
import { spawn } from 'node:child_process';
import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { config } from '../../services/common/config.js';
import { UserError } from '../../services/common/errors.js';
import { defaultLayoutOnce } from '../../services/sandbox/sandbox.js';
import { slotCgroups } from '../support/cgroups.js';
import { folderWith, removeTempDirs, run, sh, tempDir } from '../support/helpers.js';

test.after(removeTempDirs);

test('a reader that goes away ends the run cleanly: a report, and no cgroup left (no SIGPIPE death)', async () => {
  const layout = defaultLayoutOnce();
  const args = ['--status-fd', '3', '--state-dir', config().runDir, '--cgroup-name', config().cgroupName,
    '--root-lower', layout.skeleton, ...layout.binds.flatMap((b) => ['--ro-bind', b.src, b.dst]), '--memory-kb', '65536', '--', '/usr/bin/yes'];
  const child = spawn(config().launcherPath, args, { stdio: ['ignore', 'pipe', 'ignore', 'pipe'] });
  let status = '';
  child.stdio[3]!.on('data', (chunk: Buffer) => { status += chunk; });
  child.stdout!.once('data', () => child.stdout!.destroy());
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.is(code, 0, status);
  assert.match(status, /"event":"exit".*"cancelled":true/);
  assert.equal(slotCgroups(), []);
});

test('stdin must be a regular file: a symlink or a directory is refused', async () => {
  const dir = tempDir();
  symlinkSync('/etc/hostname', join(dir, 'link'));
  for (const stdin of [join(dir, 'link'), dir]) {
    const error = await run(['/bin/cat'], {}, { stdin }).then(() => null, (e: unknown) => e);
    assert.instance(error, Error);
    assert.match((error as Error).message, /stdin .*(not a regular file|Too many levels of symbolic links)/);
  }
});

test('an empty last argument reaches the program', async () => {
  const r = await run(['/bin/sh', '-c', 'echo $#', 'x', 'a', '']);
  assert.is(r.stdout, '2\n');
});

test('the lowest --open-files still runs under a policy', async () => {
  const r = await sh('echo ok', { openFiles: 4 });
  assert.is(r.status, 'ok', r.stderr);
  assert.is(r.stdout, 'ok\n');
});

test('a submission larger than /box is a user error, not a sandbox failure', async () => {
  const dir = folderWith({});
  writeFileSync(join(dir, 'big.bin'), Buffer.alloc(8 << 20));
  const error = await run(['/bin/true'], { memoryMb: 4 }, { dir }).then(() => null, (e: unknown) => e);
  assert.instance(error, UserError);
  assert.is((error as UserError).code, 'E_BOX_TOO_LARGE');
  assert.equal(slotCgroups(), []);
});

test.run();
