// Opening without following links (CWE-59): a link at the last name or anywhere on the way is
// refused, never followed; a name beneath a folder's descriptor is reached even after that
// folder's path was swapped for a link.
import { closeSync, constants, mkdirSync, openSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { beneath, openBeneath, openWithoutLinks } from '../../services/common/no-follow.js';
import { removeTempDirs, tempDir } from '../support/helpers.js';

test.after.each(removeTempDirs);

function codeOf(call: () => number): string | undefined {
  try {
    closeSync(call());
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code;
  }
}

test('openWithoutLinks opens a link-free path, and refuses a link at the end (ELOOP) or on the way (ENOTDIR)', () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'real'));
  writeFileSync(join(dir, 'real', 'file'), 'inside\n');
  writeFileSync(join(dir, 'secret'), 'outside\n');
  symlinkSync(join(dir, 'secret'), join(dir, 'real', 'link'));
  symlinkSync(join(dir, 'real'), join(dir, 'folder-link'));
  const fd = openWithoutLinks(join(dir, 'real', 'file'), constants.O_RDONLY);
  assert.is(readFileSync(fd, 'utf8'), 'inside\n');
  closeSync(fd);
  assert.is(codeOf(() => openWithoutLinks(join(dir, 'real', 'link'), constants.O_RDONLY)), 'ELOOP');
  assert.is(codeOf(() => openWithoutLinks(join(dir, 'folder-link', 'file'), constants.O_RDONLY)), 'ENOTDIR');
  assert.throws(() => openWithoutLinks('relative/path', constants.O_RDONLY), /not an absolute path/);
});

test('a name beneath an open folder is that folder\'s, even once its path leads elsewhere', () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'data'));
  writeFileSync(join(dir, 'data', 'token'), 'ours\n');
  mkdirSync(join(dir, 'elsewhere'));
  writeFileSync(join(dir, 'elsewhere', 'token'), 'theirs\n');
  const folder = openSync(join(dir, 'data'), constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    renameSync(join(dir, 'data'), join(dir, 'moved'));
    symlinkSync(join(dir, 'elsewhere'), join(dir, 'data'));
    const fd = openBeneath(folder, 'token', constants.O_RDONLY);
    assert.is(readFileSync(fd, 'utf8'), 'ours\n');
    closeSync(fd);
    symlinkSync(join(dir, 'elsewhere', 'token'), join(dir, 'moved', 'planted'));
    assert.is(codeOf(() => openBeneath(folder, 'planted', constants.O_RDONLY)), 'ELOOP');
    assert.throws(() => beneath(folder, '../x'), /not a single name/);
  } finally {
    closeSync(folder);
  }
});

test.run();
