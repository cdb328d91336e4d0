// The incident evidence snapshot (native/launcher/snapshot.c) on its own, through a small C driver:
// hashes that verify, links kept as links and never read, no hang on a FIFO, a 64 GiB sparse file and
// 200,000 small files capped quickly, names with any bytes, files swapped for links mid-walk.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { fromPackageRoot } from '../../services/common/package-root.js';

interface Limits {
  maxBytes: number;
  maxEntries: number;
  maxFileBytes: number;
}

interface DriverResult {
  ok: boolean;
  error?: string;
  archive_sha256: string;
  entries: number;
  bytes: number;
  capped: boolean;
  cap_reason: string;
  ms: number;
}

interface ManifestEntry {
  path: string;
  type: string;
  archived: boolean;
  size?: number;
  mode?: string;
  sha256?: string;
  stored_size?: number;
  sparse?: boolean;
  truncated?: boolean;
  target?: string;
  rdev?: string;
  not_descended?: string;
  error?: string;
}

interface Manifest {
  entries: ManifestEntry[];
  entries_recorded: number;
  bytes_stored: number;
  capped: boolean;
  cap_reasons: string[];
  left_out: { entries_at_least: number; bytes_at_least: number };
  archive: { bytes: number; sha256: string };
}

interface Snapshot {
  result: DriverResult;
  manifest: Manifest;
  manifestText: string;
  archive: string;
  manifestPath: string;
  wallMs: number;
}

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const LIMITS: Limits = { maxBytes: 64 * MiB, maxEntries: 10000, maxFileBytes: 16 * MiB };
const ROOTS = ['upper', 'box', 'tmp'];

const made: string[] = [];
let driver = '';

function tempDir(prefix: string, base = tmpdir()): string {
  const dir = mkdtempSync(join(base, prefix));
  made.push(dir);
  return dir;
}

/** A scratch root like the launcher's: a tmpfs where there is one, with the usual top folders. */
function scratchDir(): string {
  const dir = tempDir('gradebox-scratch-', existsSync('/dev/shm') ? '/dev/shm' : tmpdir());
  for (const name of ['upper', 'work', 'box', 'tmp', 'dev']) mkdirSync(join(dir, name));
  return dir;
}

function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

test.before(() => {
  driver = fromPackageRoot('build', 'Release', 'gradebox-snapshot');
});

test.after(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function runDriver(scratch: string, archive: string, manifestPath: string, roots: string[], limits: Limits,
  timeoutMs: number) {
  const caps = [limits.maxBytes, limits.maxEntries, limits.maxFileBytes].map(String);
  const args = [scratch, archive, manifestPath, ...caps, ...roots];
  return spawnSync(driver, args, { encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL' });
}

function snapshot(scratch: string, limits: Partial<Limits> = {}, roots = ROOTS, timeoutMs = 20000): Snapshot {
  const out = tempDir('gradebox-evidence-');
  const archive = join(out, 'evidence.tar');
  const manifestPath = join(out, 'manifest.json');
  const started = performance.now();
  const run = runDriver(scratch, archive, manifestPath, roots, { ...LIMITS, ...limits }, timeoutMs);
  const wallMs = performance.now() - started;
  assert.ok(!run.error && run.status === 0,
    `snap: ${run.error?.message ?? ''} status ${run.status} signal ${run.signal} ${run.stdout}${run.stderr}`);
  const manifestText = readFileSync(manifestPath, 'utf8');
  const result = JSON.parse(run.stdout) as DriverResult;
  return { result, manifest: JSON.parse(manifestText) as Manifest, manifestText, archive, manifestPath, wallMs };
}

function entry(manifest: Manifest, path: string): ManifestEntry {
  const found = manifest.entries.find((e) => e.path === path);
  assert.ok(found, `no manifest entry for ${path}`);
  return found!;
}

/** `tar -tvf`, without GNU tar's notes about pax keywords it does not know (hdrcharset). */
function tarList(archive: string): string {
  return execFileSync('tar', ['-tvf', archive], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
}

function extract(archive: string): string {
  const dir = tempDir('gradebox-extract-');
  execFileSync('tar', ['-xf', archive, '-C', dir], { stdio: ['ignore', 'ignore', 'ignore'] });
  return dir;
}

test('files and their sha256 in the manifest match, and the archive sha256 verifies', () => {
  const scratch = scratchDir();
  const files: Record<string, Buffer> = {
    'upper/etc/passwd': Buffer.from('root:x:0:0::/root:/bin/sh\n'),
    'box/data.bin': randomBytes(3 * MiB + 5), // more than one read chunk
    'box/sub/deeper/notes.txt': Buffer.from('deep\n'),
    'tmp/empty': Buffer.alloc(0),
  };
  for (const [path, data] of Object.entries(files)) {
    mkdirSync(join(scratch, path, '..'), { recursive: true });
    writeFileSync(join(scratch, path), data);
  }
  writeFileSync(join(scratch, 'work', 'not-walked'), 'x');
  execFileSync('ln', [join(scratch, 'box', 'data.bin'), join(scratch, 'box', 'hard')]);

  const snap = snapshot(scratch);
  for (const [path, data] of Object.entries(files)) {
    const e = entry(snap.manifest, path);
    assert.is(e.type, 'file');
    assert.ok(e.archived);
    assert.is(e.sha256, sha256(data), path);
    assert.is(e.stored_size, data.length);
    assert.is(e.truncated, false);
  }
  assert.is(entry(snap.manifest, 'box/hard').sha256, sha256(files['box/data.bin']!), 'a hard link is stored as a full copy');
  assert.ok(!snap.manifest.entries.some((e) => e.path.startsWith('work') || e.path.startsWith('dev')));

  const archiveBytes = readFileSync(snap.archive);
  assert.is(sha256(archiveBytes), snap.result.archive_sha256);
  assert.is(snap.manifest.archive.sha256, snap.result.archive_sha256);
  assert.is(snap.manifest.archive.bytes, archiveBytes.length);
  assert.is(snap.manifest.capped, false);
  assert.is(snap.result.entries, snap.manifest.entries.length);
  assert.is(statSync(snap.archive).mode & 0o777, 0o600);
  assert.is(statSync(snap.manifestPath).mode & 0o777, 0o600);

  const out = extract(snap.archive);
  assert.ok(readFileSync(join(out, 'box', 'data.bin')).equals(files['box/data.bin']!));
});

test('a symlink to /etc/shadow is stored as a link, and no link target is ever read', () => {
  const scratch = scratchDir();
  const host = tempDir('gradebox-host-');
  const token = `HOST-SECRET-${randomBytes(8).toString('hex')}`;
  writeFileSync(join(host, 'secret.txt'), token);
  symlinkSync('/etc/shadow', join(scratch, 'box', 'shadow'));
  symlinkSync(join(host, 'secret.txt'), join(scratch, 'box', 'secret'));
  symlinkSync(host, join(scratch, 'upper', 'hostdir'));
  symlinkSync('/etc', join(scratch, 'tmp', 'etc'));

  const snap = snapshot(scratch);
  const shadow = entry(snap.manifest, 'box/shadow');
  assert.is(shadow.type, 'symlink');
  assert.is(shadow.target, '/etc/shadow');
  assert.ok(shadow.archived);
  assert.is(entry(snap.manifest, 'upper/hostdir').type, 'symlink');
  assert.ok(!snap.manifest.entries.some((e) => e.path.startsWith('upper/hostdir/') || e.path.startsWith('tmp/etc/')),
    'a symlinked directory is not descended');
  assert.match(tarList(snap.archive), /^l\S+ .* box\/shadow -> \/etc\/shadow$/m);
  assert.not.ok(readFileSync(snap.archive).includes(token));
  assert.not.ok(snap.manifestText.includes(token));
});

test('a FIFO, a socket and device nodes are recorded, never opened, and do not hang the walk', () => {
  const scratch = scratchDir();
  execFileSync('mkfifo', [join(scratch, 'tmp', 'fifo')]);
  const bind = 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])';
  execFileSync('python3', ['-c', bind, join(scratch, 'tmp', 'sock')]);
  execFileSync('mknod', [join(scratch, 'box', 'null'), 'c', '1', '3']);
  execFileSync('mknod', [join(scratch, 'upper', 'deleted'), 'c', '0', '0']); // an overlay whiteout

  const snap = snapshot(scratch, {}, ROOTS, 5000);
  assert.is(entry(snap.manifest, 'tmp/fifo').type, 'fifo');
  assert.is(entry(snap.manifest, 'tmp/sock').type, 'socket');
  assert.is(entry(snap.manifest, 'box/null').type, 'char');
  assert.is(entry(snap.manifest, 'box/null').rdev, '1:3');
  assert.is(entry(snap.manifest, 'upper/deleted').type, 'whiteout');
  for (const path of ['tmp/fifo', 'tmp/sock', 'box/null', 'upper/deleted']) {
    assert.is(entry(snap.manifest, path).archived, false);
  }
  assert.not.match(tarList(snap.archive), /fifo|sock|null|deleted/);
});

test('a 64 GiB sparse file is stored sparse and capped in under 2 s', () => {
  const scratch = scratchDir();
  const huge = join(scratch, 'tmp', 'huge');
  writeFileSync(huge, '');
  truncateSync(huge, 64 * GiB);
  const holey = join(scratch, 'tmp', 'holey'); // data islands in an 8 MiB file
  writeFileSync(holey, '');
  truncateSync(holey, 8 * MiB);
  for (const [offset, byte] of [[1000000, 'X'], [5000000, 'Y']] as const) {
    execFileSync('dd', [`of=${holey}`, 'bs=1', `seek=${offset}`, 'conv=notrunc'], { input: byte, stdio: ['pipe', 'ignore', 'ignore'] });
  }

  const snap = snapshot(scratch);
  assert.ok(snap.wallMs < 2000, `took ${snap.wallMs} ms`);
  const e = entry(snap.manifest, 'tmp/huge');
  assert.is(e.size, 64 * GiB);
  assert.is(e.sparse, true);
  assert.is(e.truncated, true);
  assert.is(e.stored_size, LIMITS.maxFileBytes);
  assert.is(e.sha256, sha256(Buffer.alloc(LIMITS.maxFileBytes)));
  assert.ok(snap.manifest.capped);
  assert.ok(snap.manifest.cap_reasons.includes('max_file_bytes'));
  assert.ok(snap.manifest.left_out.bytes_at_least >= 64 * GiB - LIMITS.maxFileBytes);
  assert.ok(statSync(snap.archive).size < MiB, `archive of ${statSync(snap.archive).size} bytes`);

  const h = entry(snap.manifest, 'tmp/holey');
  assert.is(h.sparse, true);
  assert.is(h.truncated, false);
  assert.is(h.sha256, sha256(readFileSync(holey)));
  const out = extract(snap.archive);
  assert.is(sha256(readFileSync(join(out, 'tmp', 'holey'))), h.sha256);
  assert.is(statSync(join(out, 'tmp', 'huge')).size, LIMITS.maxFileBytes);
});

test('200,000 small files are capped in under 5 s, and the manifest says what was left out', () => {
  const scratch = scratchDir();
  const upper = join(scratch, 'upper');
  for (let i = 0; i < 200000; i++) writeFileSync(join(upper, `f${i}`), `file ${i}\n`);

  const snap = snapshot(scratch, { maxEntries: 10000 }, ['upper']);
  assert.ok(snap.wallMs < 5000, `took ${snap.wallMs} ms`);
  assert.ok(snap.result.capped);
  assert.is(snap.result.cap_reason, 'max_entries');
  assert.is(snap.manifest.capped, true);
  assert.equal(snap.manifest.cap_reasons, ['max_entries']);
  assert.is(snap.manifest.entries.length, 10000);
  assert.is(snap.manifest.entries_recorded, 10000);
  assert.is(snap.manifest.left_out.entries_at_least, 200000 - 9999); // the root folder is the 10,000th entry
});

test('the byte caps cut files short, say so, and hash what was stored', () => {
  const scratch = scratchDir();
  const data = Buffer.from('0123456789'.repeat(10));
  for (const name of ['a', 'b', 'c', 'd']) writeFileSync(join(scratch, 'box', name), data);

  const snap = snapshot(scratch, { maxBytes: 250, maxFileBytes: 80 }, ['box']);
  assert.equal(snap.manifest.cap_reasons, ['max_bytes', 'max_file_bytes']);
  assert.is(snap.manifest.bytes_stored, 250);
  assert.is(snap.manifest.left_out.bytes_at_least, 4 * 100 - 250);
  for (const name of ['a', 'b', 'c', 'd']) {
    const e = entry(snap.manifest, `box/${name}`);
    assert.is(e.truncated, true);
    assert.is(e.sha256, sha256(data.subarray(0, e.stored_size)));
  }
});

test('names with any bytes decode to the exact bytes, in the manifest and in the archive', () => {
  const scratch = scratchDir();
  const name = Buffer.concat([Buffer.from('w'), Buffer.from([0xff, 0x0a, 0x22, 0x5c, 0x01, 0x7f]), Buffer.from('é.txt')]);
  const target = Buffer.concat([Buffer.from('/nowhere/'), Buffer.from([0xfe, 0x0d])]);
  const box = join(scratch, 'box');
  writeFileSync(Buffer.concat([Buffer.from(box + '/'), name]), 'odd');
  symlinkSync(target, Buffer.concat([Buffer.from(box + '/link-'), name]));

  const snap = snapshot(scratch, {}, ['box']);
  assert.ok(/^[\x20-\x7e\n]*$/.test(snap.manifestText), 'the manifest is plain ASCII');
  const paths = snap.manifest.entries.map((e) => Buffer.from(e.path, 'latin1'));
  assert.ok(paths.some((p) => p.equals(Buffer.concat([Buffer.from('box/'), name]))));
  const link = snap.manifest.entries.find((e) => e.type === 'symlink');
  assert.ok(link && Buffer.from(link.target ?? '', 'latin1').equals(target));

  const out = extract(snap.archive);
  const names = readdirSync(join(out, 'box'), { encoding: 'buffer' });
  assert.ok(names.some((n) => n.equals(name)), 'the archive holds the name byte for byte');
});

test('a tree deeper than the depth cap is recorded down to the cap and says so', () => {
  const scratch = scratchDir();
  mkdirSync(join(scratch, 'tmp', ...Array<string>(70).fill('d')), { recursive: true });

  const snap = snapshot(scratch, {}, ['tmp']);
  assert.ok(snap.manifest.cap_reasons.includes('max_depth'));
  const stopped = snap.manifest.entries.filter((e) => e.not_descended === 'max_depth');
  assert.is(stopped.length, 1);
  assert.is(stopped[0]!.path.split('/').length, 65); // the root and 64 folders below it
});

test('files and folders swapped for symlinks during the walk are never followed', () => {
  const scratch = scratchDir();
  const host = tempDir('gradebox-host-');
  const token = `HOST-SECRET-${randomBytes(8).toString('hex')}`;
  writeFileSync(join(host, 'secret.txt'), token);
  const box = join(scratch, 'box');
  writeFileSync(join(box, 'f'), 'benign\n');
  symlinkSync(join(host, 'secret.txt'), join(box, 'f.alt'));
  mkdirSync(join(box, 'd'));
  writeFileSync(join(box, 'd', 'benign.txt'), 'benign\n');
  symlinkSync(host, join(box, 'd.alt'));

  // Swaps each pair atomically (renameat2 RENAME_EXCHANGE), as fast as it can.
  const swapper = spawn('python3', ['-c', `
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
os.chdir(sys.argv[1])
while True:
    libc.renameat2(-100, b'f', -100, b'f.alt', 2)
    libc.renameat2(-100, b'd', -100, b'd.alt', 2)
`, box], { stdio: 'ignore' });
  try {
    const deadline = Date.now() + 5000;
    while (!lstatSync(join(box, 'f')).isSymbolicLink() && Date.now() < deadline); // wait until it swaps
    const seen = new Set<string>();
    for (let run = 0; run < 100; run++) {
      const snap = snapshot(scratch, {}, ['box']);
      assert.not.ok(readFileSync(snap.archive).includes(token), `run ${run}: the archive holds the host secret`);
      assert.not.ok(snap.manifestText.includes(token), `run ${run}: the manifest holds the host secret`);
      assert.not.ok(snap.manifest.entries.some((e) => e.path.endsWith('/secret.txt')), `run ${run}: a link was followed`);
      for (const e of snap.manifest.entries) seen.add(`${e.path}:${e.type}`);
    }
    assert.ok(seen.has('box/f:symlink') && seen.has('box/f:file'), `the swaps were seen: ${[...seen].join(' ')}`);
  } finally {
    swapper.kill('SIGKILL');
  }
});

test('evidence files are always new: an existing file or symlink in their place is refused and left alone', () => {
  const scratch = scratchDir();
  const out = tempDir('gradebox-evidence-');
  const existing = join(out, 'existing.tar');
  writeFileSync(existing, 'keep');
  let run = runDriver(scratch, existing, join(out, 'm1.json'), ['box'], LIMITS, 5000);
  assert.is(run.status, 1);
  assert.match(run.stdout, /create the archive file: File exists/);
  assert.is(readFileSync(existing, 'utf8'), 'keep');
  assert.not.ok(existsSync(join(out, 'm1.json')));

  const victim = join(out, 'victim');
  writeFileSync(victim, 'keep');
  symlinkSync(victim, join(out, 'm2.json'));
  run = runDriver(scratch, join(out, 'a2.tar'), join(out, 'm2.json'), ['box'], LIMITS, 5000);
  assert.is(run.status, 1);
  assert.match(run.stdout, /create the manifest file/);
  assert.is(readFileSync(victim, 'utf8'), 'keep');
  assert.not.ok(existsSync(join(out, 'a2.tar')), 'the half-made archive is removed');
});

test.run();
