// Grader snapshots: what `gradebox assignments add` freezes. Exactly grader.yaml and the
// files it names, the same bytes every time, unpacked by the workers' unpacker into a grader with
// the same digest; links inside the folder read as the file they name; changes between two
// snapshots said test by test and file by file.
import { mkdirSync, readFileSync, symlinkSync, writeFileSync, chmodSync, cpSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import tar from 'tar-stream';

import { UserError } from '../../services/common/errors.js';
import { fromPackageRoot } from '../../services/common/package-root.js';
import { graderChanges } from '../../services/grading/grader-change.js';
import { loadGrader } from '../../services/grading/load-grader.js';
import { snapshotGrader } from '../../services/grading/grader-snapshot.js';
import { unpackArchive } from '../../services/intake/archive-unpacker.js';
import { removeTempDirs, tempDir } from '../support/helpers.js';

test.after.each(removeTempDirs);

const MiB = 1024 * 1024;

/** The tar's entries: name, mode and content. */
async function entries(archive: Buffer): Promise<Array<{ name: string; mode: number; text: string }>> {
  const found: Array<{ name: string; mode: number; text: string }> = [];
  const extract = tar.extract();
  extract.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: unknown) => { chunks.push(c as Buffer); });
    stream.on('end', () => { found.push({ name: header.name, mode: header.mode ?? 0, text: Buffer.concat(chunks).toString() }); next(); });
  });
  const done = new Promise<void>((resolve, reject) => { extract.on('finish', () => resolve()); extract.on('error', reject); });
  Readable.from([archive]).pipe(extract);
  await done;
  return found;
}

test('the snapshot of sum-c holds grader.yaml and the files it names, sorted, the same bytes each time; unpacked it is the same grader', async () => {
  const dir = join(tempDir(), 'sum-c');
  cpSync(fromPackageRoot('graders', 'sum-c'), dir, { recursive: true });
  const made = await snapshotGrader(dir, 128 * MiB);
  const names = (await entries(made.tar)).map((e) => e.name);
  assert.equal(names, ['grader.yaml', 'tests/1.in', 'tests/1.out', 'tests/hidden/2.in', 'tests/hidden/2.out', 'tests/hidden/3.in', 'tests/hidden/3.out']);
  assert.not.ok(names.some((n) => n.startsWith('submissions/')), 'sample submissions and whatever else lies there stay out');
  assert.equal((await snapshotGrader(dir, 128 * MiB)).tar, made.tar, 'deterministic');
  assert.is(made.digest, loadGrader(dir).digest);
  assert.is(made.sourceDir, dir);
  assert.equal(made.manifest.files.map((f) => f.path), names);
  assert.equal(made.manifest.tests, loadGrader(dir).tests.map((t) => t.name));
  const unpacked = tempDir();
  await unpackArchive(Readable.from([made.tar]), 'tar', unpacked);
  assert.is(loadGrader(unpacked).digest, made.digest, 'what a worker unpacks checks against the digest');
});

test('a link inside the folder is stored as the file it names; an executable keeps its x bit', async () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'data'));
  writeFileSync(join(dir, 'data', 'answer.txt'), '42\n');
  mkdirSync(join(dir, 'tests'));
  writeFileSync(join(dir, 'tests', '1.in'), '');
  symlinkSync('../data/answer.txt', join(dir, 'tests', '1.out'));
  writeFileSync(join(dir, 'check'), '#!/bin/sh\nexit 0\n');
  chmodSync(join(dir, 'check'), 0o755);
  writeFileSync(join(dir, 'grader.yaml'), 'language: c\nfiles: [check]\ntests:\n  - { stdin: tests/1.in, expect: tests/1.out }\n');
  const found = await entries((await snapshotGrader(dir, MiB)).tar);
  assert.equal(found.map((e) => [e.name, e.mode, e.text]), [
    ['check', 0o755, '#!/bin/sh\nexit 0\n'], ['grader.yaml', 0o644, readFileSync(join(dir, 'grader.yaml'), 'utf8')],
    ['tests/1.in', 0o644, ''], ['tests/1.out', 0o644, '42\n'],
  ]);
});

test('a grader bigger than a snapshot may be is refused with its size and the fix; a bad grader.yaml names its field', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'big.in'), Buffer.alloc(2000));
  writeFileSync(join(dir, 'big.out'), '');
  writeFileSync(join(dir, 'grader.yaml'), 'language: c\ntests:\n  - { stdin: big.in, expect: big.out }\n');
  const error = await snapshotGrader(dir, 1000).then(() => null, (e: unknown) => e);
  assert.instance(error, UserError);
  assert.is((error as UserError).code, 'E_GRADER_TOO_LARGE');
  assert.match((error as Error).message, /more than 1000 bytes/);
  writeFileSync(join(dir, 'grader.yaml'), 'language: cobol\ntests: []\n');
  const invalid = await snapshotGrader(dir, MiB).then(() => null, (e: unknown) => e);
  assert.is((invalid as UserError).code, 'E_GRADER_INVALID');
});

test('what changed between two snapshots: tests and files added, removed, changed; nothing when the same', () => {
  const file = (path: string, sha: string) => ({ path, sha256: sha.repeat(64), size: 1 });
  const before = { tests: ['a', 'b'], files: [file('grader.yaml', '1'), file('tests/a.out', '2'), file('tests/b.out', '3')] };
  const now = { tests: ['a', 'c'], files: [file('grader.yaml', '4'), file('tests/a.out', '2'), file('tests/c.out', '5')] };
  assert.equal(graderChanges(before, now), ['tests added: c', 'tests removed: b', 'files added: tests/c.out', 'files removed: tests/b.out', 'files changed: grader.yaml']);
  assert.equal(graderChanges(now, now), []);
});

test.run();
