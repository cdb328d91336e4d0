// The tar a worker downloads: files read from disk and bytes kept in the database come out alike,
// byte for byte, with fixed owners and times (the same files always give the same archive).
import { chmodSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';

import tar from 'tar-stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { writeTar, type PackEntry } from '../../services/intake/tar-pack.js';
import { removeTempDirs, tempDir } from '../support/helpers.js';

test.after.each(() => removeTempDirs());

interface Unpacked { name: string; mode: number; uid: number; mtime: number; content: string }

async function packed(entries: PackEntry[]): Promise<{ bytes: Buffer; files: Unpacked[] }> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  await writeTar(entries, out);
  const bytes = Buffer.concat(chunks);
  const files: Unpacked[] = [];
  const extract = tar.extract();
  extract.on('entry', (header, stream, next) => {
    const parts: Buffer[] = [];
    stream.on('data', (c) => parts.push(c as Buffer));
    stream.on('end', () => {
      files.push({ name: header.name, mode: header.mode!, uid: header.uid!, mtime: header.mtime!.getTime(), content: Buffer.concat(parts).toString() });
      next();
    });
  });
  await new Promise<void>((resolve, reject) => { extract.on('finish', resolve); extract.on('error', reject); extract.end(bytes); });
  return { bytes, files };
}

test('entries from disk and from memory are packed alike, and the same entries give the same bytes', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'big.c'), 'int big;\n');
  chmodSync(join(dir, 'big.c'), 0o600);
  const entries: PackEntry[] = [{ path: 'src/big.c', diskPath: join(dir, 'big.c') }, { path: 'main.py', content: Buffer.from('print(1)\n') }];
  const first = await packed(entries);
  assert.equal(first.files, [
    { name: 'src/big.c', mode: 0o644, uid: 0, mtime: 0, content: 'int big;\n' },
    { name: 'main.py', mode: 0o644, uid: 0, mtime: 0, content: 'print(1)\n' },
  ]);
  assert.equal((await packed(entries)).bytes, first.bytes);
});

test('a disk entry that is a link is refused, not followed', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'secret'), 'not for workers');
  symlinkSync(join(dir, 'secret'), join(dir, 'link'));
  const error = await packed([{ path: 'a', diskPath: join(dir, 'link') }]).then(() => null, (e: unknown) => e as NodeJS.ErrnoException);
  assert.is(error?.code, 'ELOOP');
});

test.run();
