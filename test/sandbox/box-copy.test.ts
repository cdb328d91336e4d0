// /box in and out with the real launcher: several folders laid in order; the copy back to the
// host (a build's output) drops links, keeps holes and is capped; depth and size overflows are the
// caller's input errors, and leave no cgroup behind.
import { lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { UserError } from '../../services/common/errors.js';
import { canonicalEnvironment } from '../../services/sandbox/environment.js';
import { sandboxesClosed, type LaunchReport } from '../../services/sandbox/launcher.js';
import { resolveLimits } from '../../services/sandbox/limits.js';
import { prepareSandbox } from '../../services/sandbox/sandbox.js';
import { installedPolicy } from '../../services/sandbox/seccomp-program.js';
import { makeCanary } from '../support/canary.js';
import { slotCgroups } from '../support/cgroups.js';
import { folderWith, rejectionOf, removeTempDirs, tempDir } from '../support/helpers.js';

test.after(removeTempDirs);

const MiB = 1 << 20;

/** A shell script in a fresh sandbox under the default policy, with the launcher's own report. */
function launch(script: string, options: { dir?: string | string[]; boxOut?: string; memoryMb?: number } = {}): Promise<LaunchReport> {
  const limits = resolveLimits({ memoryMb: options.memoryMb ?? 128, cpuMs: 10_000, wallMs: 20_000 });
  return prepareSandbox(limits).run({
    argv: ['/bin/sh', '-c', script], env: canonicalEnvironment(), limits,
    boxFrom: options.dir, boxOut: options.boxOut, seccompPath: installedPolicy('default').path,
  });
}

/** Every entry under `dir` (relative paths), with a trailing / for folders and @ for links. */
function tree(dir: string, prefix = ''): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const st = lstatSync(join(dir, name));
    if (st.isDirectory()) return [`${prefix}${name}/`, ...tree(join(dir, name), `${prefix}${name}/`)];
    return [`${prefix}${name}${st.isSymbolicLink() ? '@' : ''}`];
  });
}

/** Bytes the host's disk gave the files under `dir` (st_blocks are 512-byte units). */
function allocatedBytes(dir: string): number {
  return readdirSync(dir, { recursive: true }).reduce((sum, name) => sum + lstatSync(join(dir, String(name))).blocks * 512, 0);
}

/** A folder nesting `depth` folders, the deepest holding a file. */
function nested(depth: number): string {
  const root = tempDir();
  const deepest = join(root, ...Array.from({ length: depth }, () => 'd'));
  mkdirSync(deepest, { recursive: true });
  writeFileSync(join(deepest, 'bottom.txt'), 'deep\n');
  return root;
}

async function assertInputError(call: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  const error = await rejectionOf(call, `a run expected to fail with ${code}`);
  assert.instance(error, UserError);
  assert.is((error as UserError).code, code, (error as Error).message);
  assert.match((error as Error).message, message);
  await sandboxesClosed();
  assert.equal(slotCgroups(), [], 'the failed sandbox left no cgroup');
}

test('/box is laid from several folders in order: a later one replaces a file, a link or a folder; folders merge', async () => {
  const first = folderWith({ 'a.txt': 'first\n', 'keep.txt': 'kept\n', 'file-then-folder': 'a file\n' });
  mkdirSync(join(first, 'merged'));
  writeFileSync(join(first, 'merged', 'x'), 'x from the first\n');
  mkdirSync(join(first, 'folder-then-file'));
  writeFileSync(join(first, 'folder-then-file', 'inner'), 'gone\n');
  symlinkSync('/etc/hostname', join(first, 'link-then-file'));
  const second = folderWith({ 'a.txt': 'second\n', 'folder-then-file': 'now a file\n', 'link-then-file': 'not a link\n' });
  mkdirSync(join(second, 'merged'));
  writeFileSync(join(second, 'merged', 'y'), 'y from the second\n');
  mkdirSync(join(second, 'file-then-folder'));
  writeFileSync(join(second, 'file-then-folder', 'inner'), 'now a folder\n');
  const r = await launch('cat a.txt keep.txt merged/x merged/y folder-then-file link-then-file file-then-folder/inner; if [ -L link-then-file ]; then echo still a link; fi', { dir: [first, second] });
  assert.is(r.exit_code, 0, r.stderr.toString());
  assert.is(r.stdout.toString(), 'second\nkept\nx from the first\ny from the second\nnow a file\nnot a link\nnow a folder\n');
});

test('the copy back to the host drops every link the sandbox made and follows none', async () => {
  const canary = makeCanary();
  const out = tempDir();
  const r = await launch(`echo built > main; mkdir lib; echo lib > lib/a.so; ln -s ${canary.dir} data; ln -s ${canary.dir}/planted.txt notes.txt; ln -s /etc/passwd lib/passwd`, { boxOut: out });
  assert.is(r.exit_code, 0, r.stderr.toString());
  assert.equal(tree(out), ['lib/', 'lib/a.so', 'main']);
  assert.is(r.box_links_dropped, 3);
  canary.assertUntouched();
});

test('holes stay holes on the way out: four 64 MiB sparse files cost the host less than the scratch', async () => {
  const out = tempDir();
  const r = await launch('truncate -s 64M pad1 pad2 pad3 pad4 && echo data > small', { boxOut: out, memoryMb: 128 });
  assert.is(r.exit_code, 0, r.stderr.toString());
  for (const name of ['pad1', 'pad2', 'pad3', 'pad4']) assert.is(lstatSync(join(out, name)).size, 64 * MiB);
  assert.is(readFileSync(join(out, 'small'), 'utf8'), 'data\n');
  const used = allocatedBytes(out);
  assert.ok(used < 128 * MiB, `the host's disk gave ${used} bytes to files of 256 MiB apparent size`);
  assert.ok(used < MiB, `only the data is stored, got ${used} bytes`);
});

test('holes stay holes on the way in: a 1 GiB sparse file fits a 16 MiB /box', async () => {
  const dir = folderWith({ 'note.txt': 'a sparse file follows\n' });
  writeFileSync(join(dir, 'sparse.bin'), 'head');
  truncateSync(join(dir, 'sparse.bin'), 1024 * MiB);
  const r = await launch('stat -c %s sparse.bin; head -c 4 sparse.bin; echo', { dir, memoryMb: 16 });
  assert.is(r.exit_code, 0, r.stderr.toString());
  assert.is(r.stdout.toString(), `${1024 * MiB}\nhead\n`);
});

test('hard links cannot multiply a file on the host: the copy out stops at the scratch size', async () => {
  const out = tempDir();
  const script = 'head -c 8388608 /dev/zero > f && for i in 1 2 3 4 5 6 7 8; do ln f h$i; done';
  await assertInputError(launch(script, { boxOut: out, memoryMb: 32 }), 'E_BOX_OUT_TOO_LARGE', /more than 33554432 bytes of file data/);
  assert.ok(allocatedBytes(out) <= 33 * MiB, `the host got ${allocatedBytes(out)} bytes`);
});

test('folders nested deeper than 64 in /box are an input error on the way out', async () => {
  const script = `mkdir -p ${Array.from({ length: 70 }, () => 'd').join('/')}`;
  await assertInputError(launch(script, { boxOut: tempDir() }), 'E_BOX_OUT_TOO_DEEP', /nested deeper than 64/);
});

test('a submission nesting folders deeper than 64 is an input error on the way in, 64 is fine', async () => {
  const fine = await launch('cat $(find . -name bottom.txt)', { dir: nested(64) });
  assert.is(fine.stdout.toString(), 'deep\n', fine.stderr.toString());
  await assertInputError(launch('true', { dir: nested(65) }), 'E_BOX_TOO_DEEP', /the submission nests folders deeper than 64/);
});

test.run();
