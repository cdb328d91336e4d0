// Root gives the data folder to the service account at every start, in a folder that account
// controls: links it planted, and files it swaps for links while the walk runs, never make root
// change anything outside; what is given is private to the account.
import { execFileSync, spawn } from 'node:child_process';
import { lchownSync, lstatSync, mkdirSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { UserError } from '../../services/common/errors.js';
import { config } from '../../services/common/config.js';
import { giveTree } from '../../services/account/give-tree.js';
import { lookUpServiceUser } from '../../services/account/service-user.js';
import { removeTempDirs, tempDir } from '../support/helpers.js';

test.after.each(removeTempDirs);

const user = lookUpServiceUser(config().serviceUser);

/** A root-owned file and folder outside the tree. */
function canaries(): { file: string; dir: string } {
  const outside = tempDir('gradebox-canary-');
  const file = join(outside, 'canary');
  writeFileSync(file, 'root\n', { mode: 0o600 });
  const dir = join(outside, 'folder');
  mkdirSync(dir, { mode: 0o755 });
  return { file, dir };
}

function assertRoots(paths: string[]): void {
  for (const path of paths) {
    const st = statSync(path);
    assert.equal([st.uid, st.gid], [0, 0], `${path} still root's`);
  }
}

test('the tree becomes the account\'s and private; links (dangling too), FIFOs and their targets are left alone', () => {
  const { file, dir } = canaries();
  const data = tempDir('gradebox-data-');
  mkdirSync(join(data, 'blobs', 'ab'), { recursive: true, mode: 0o755 });
  writeFileSync(join(data, 'gradebox.sqlite'), '', { mode: 0o644 });
  writeFileSync(join(data, 'blobs', 'ab', 'cdef'), 'x', { mode: 0o4755 });
  symlinkSync(file, join(data, 'to-file'));
  symlinkSync(dir, join(data, 'blobs', 'to-folder'));
  symlinkSync('/nonexistent/gradebox', join(data, 'dangling'));
  execFileSync('mkfifo', [join(data, 'fifo')]);
  giveTree(data, user);
  const modes = (path: string) => { const st = lstatSync(path); return [st.uid, st.gid, st.mode & 0o7777]; };
  assert.equal(modes(data), [user.uid, user.gid, 0o700]);
  assert.equal(modes(join(data, 'gradebox.sqlite')), [user.uid, user.gid, 0o600]);
  assert.equal(modes(join(data, 'blobs')), [user.uid, user.gid, 0o700]);
  assert.equal(modes(join(data, 'blobs', 'ab', 'cdef')), [user.uid, user.gid, 0o700], 'no setuid bit left');
  for (const link of ['to-file', 'dangling', 'fifo', 'blobs/to-folder']) assert.is(lstatSync(join(data, link)).uid, 0, `${link} itself untouched`);
  assertRoots([file, dir]);
  assert.is(statSync(file).mode & 0o777, 0o600);
  assert.is(statSync(dir).mode & 0o777, 0o755);
});

test('folders asked for are made inside the data folder, never through a link planted at their name', () => {
  const { dir } = canaries();
  const data = tempDir('gradebox-data-');
  symlinkSync(dir, join(data, 'redis'));
  giveTree(data, user, ['redis', 'fresh']);
  assert.ok(lstatSync(join(data, 'redis')).isSymbolicLink(), 'the link stays a link');
  assert.equal(readdirSync(dir), [], 'nothing made where it points');
  const fresh = lstatSync(join(data, 'fresh'));
  assert.equal([fresh.isDirectory(), fresh.uid, fresh.mode & 0o777], [true, user.uid, 0o700]);
  assertRoots([dir]);
});

test('a data folder that is itself a link is refused, and its target keeps its owner', () => {
  const { dir } = canaries();
  const link = join(tempDir('gradebox-data-'), 'var');
  symlinkSync(dir, link);
  assert.throws(() => giveTree(link, user), (error: unknown) => error instanceof UserError && error.code === 'E_DATA_DIR' && /is a link or not a folder/.test(error.message));
  assertRoots([dir]);
});

// The account swaps root-owned files in its folder (root leaves some there) with links to a
// canary, over and over (renameat2 RENAME_EXCHANGE: each name is a file half the time, a link the
// other half). A walk that checks a name, then changes it by that name (lstat, then chown), changes
// the canary whenever a swap falls between the two (CWE-367).
const SWAPPER = `
import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
AT_FDCWD, RENAME_EXCHANGE = -100, 2
folder, target, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
pairs = []
for name in sorted(n for n in os.listdir(folder) if n.startswith('r')):
    link = os.path.join(folder, '.link-' + name)
    os.symlink(target, link)
    pairs.append((os.path.join(folder, name).encode(), link.encode()))
end = time.time() + seconds
while time.time() < end:
    for a, b in pairs:
        libc.renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE)
`;

test('files swapped for links while the tree is given never make root change a link\'s target', async () => {
  const { file } = canaries();
  const data = tempDir('gradebox-data-');
  const folder = join(data, 'swapped');
  mkdirSync(folder);
  for (let i = 0; i < 100; i++) writeFileSync(join(folder, `r${i}`), '');
  giveTree(data, user); // the folder is the account's; the files are handed back to root below
  const swapper = spawn('setpriv', ['--reuid', user.name, '--regid', user.name, '--clear-groups', '--', '/usr/bin/python3', '-c', SWAPPER, folder, file, '5'], { stdio: 'ignore' });
  const ended = new Promise((resolve) => swapper.once('exit', resolve));
  try {
    const deadline = Date.now() + 4000;
    let walks = 0;
    while (Date.now() < deadline) {
      // Root's files again (lchown: never a link's target), so each walk has files to give.
      for (const name of readdirSync(folder)) {
        try { lchownSync(join(folder, name), 0, 0); } catch { /* swapped meanwhile */ }
      }
      giveTree(data, user);
      walks += 1;
      assert.equal([statSync(file).uid, statSync(file).mode & 0o777], [0, 0o600], `the canary after ${walks} walks`);
    }
    assert.ok(walks > 20, `${walks} walks`);
  } finally {
    swapper.kill('SIGKILL');
    await ended;
  }
});

test.run();
