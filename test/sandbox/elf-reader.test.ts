// The ELF reader against real gcc output and against hostile files: every bad input is a UserError.
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { UserError } from '../../services/common/errors.js';
import { MAX_NEEDED, readElf } from '../../services/sandbox/elf-reader.js';
import { removeTempDirs, tempDir } from '../support/helpers.js';
import { compile, craftElf, writeElf } from './elf-fixtures.js';

test.after(removeTempDirs);

const HELLO = '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n';

/** The code of the UserError `read` throws; fails the test on success or on any other error. */
function codeOf(read: () => unknown): string {
  try {
    read();
  } catch (error) {
    if (error instanceof UserError) return error.code;
    throw error;
  }
  throw new Error('the file was accepted, but an error was expected');
}

test('a dynamically linked gcc program: its loader and libc', () => {
  const info = readElf(compile(tempDir(), 'hello', HELLO));
  assert.equal(info, { machine: 'x86_64', type: 'dyn', interp: '/lib64/ld-linux-x86-64.so.2', needed: ['libc.so.6'] });
});

/** DT_NEEDED as binutils' readelf sees it: an independent reader to compare with. */
function readelfNeeded(path: string): string[] {
  const out = execFileSync('readelf', ['-d', path], { encoding: 'utf8' });
  return [...out.matchAll(/\(NEEDED\)\s+Shared library: \[(.*)\]/g)].map((m) => m[1]!);
}

test('a C++ program with math and exceptions: the same libraries, in the same order, as readelf says', () => {
  const source = '#include <cmath>\n#include <iostream>\n#include <stdexcept>\n#include <string>\n' +
    'int main(int argc, char **argv) { try { if (argc > 5) throw std::runtime_error("x"); std::cout << std::cbrt(argc * 27.0) << std::string(argv[0]) << std::endl; } catch (const std::exception &e) { return 1; } }\n';
  const program = compile(tempDir(), 'hi', source, { cxx: true });
  const info = readElf(program);
  assert.equal(info.needed, readelfNeeded(program));
  assert.ok(info.needed.includes('libstdc++.so.6') && info.needed.includes('libc.so.6'), info.needed.join(' '));
});

test('a static program (gcc -static) has no loader and needs nothing', () => {
  const info = readElf(compile(tempDir(), 'static', HELLO, { flags: ['-static'] }));
  assert.equal(info, { machine: 'x86_64', type: 'exec', interp: null, needed: [] });
});

test('a crafted file reads back as written', () => {
  const path = writeElf(join(tempDir(), 'crafted'), { needed: ['libfoo.so.1', 'libbar.so'] });
  assert.equal(readElf(path), { machine: 'x86_64', type: 'dyn', interp: '/lib64/ld-linux-x86-64.so.2', needed: ['libfoo.so.1', 'libbar.so'] });
});

test('not ELF: a script, an empty file, text', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'script'), '#!/bin/sh\necho hi\n');
  writeFileSync(join(dir, 'empty'), '');
  writeFileSync(join(dir, 'ab'), 'ab');
  for (const name of ['script', 'empty', 'ab']) assert.is(codeOf(() => readElf(join(dir, name))), 'E_ELF_NOT_ELF', name);
});

test('an object file (gcc -c) is not an executable', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'x.c'), HELLO);
  execFileSync('gcc', ['-c', '-o', join(dir, 'x.o'), join(dir, 'x.c')]);
  assert.is(codeOf(() => readElf(join(dir, 'x.o'))), 'E_ELF_NOT_EXECUTABLE');
});

test('32-bit, big-endian and foreign-machine files are refused by name', () => {
  const dir = tempDir();
  assert.is(codeOf(() => readElf(writeElf(join(dir, 'm32'), { elfClass: 1 }))), 'E_ELF_UNSUPPORTED');
  const big = craftElf();
  big[5] = 2;
  writeFileSync(join(dir, 'big'), big);
  assert.is(codeOf(() => readElf(join(dir, 'big'))), 'E_ELF_UNSUPPORTED');
  assert.is(codeOf(() => readElf(writeElf(join(dir, 'riscv'), { machine: 243 }))), 'E_ELF_WRONG_MACHINE');
  assert.equal(readElf(writeElf(join(dir, 'arm'), { machine: 183 })).machine, 'aarch64');
});

test('a truncated program: cut in the header, the program headers and the dynamic section', () => {
  const dir = tempDir();
  const real = craftElf({ needed: ['libc.so.6'] });
  for (const cut of [20, 63, 100, real.length - 8]) {
    writeFileSync(join(dir, 'cut'), real.subarray(0, cut));
    assert.is(codeOf(() => readElf(join(dir, 'cut'))), 'E_ELF_TRUNCATED', `cut at ${cut}`);
  }
  const program = compile(dir, 'hello', HELLO);
  writeFileSync(join(dir, 'cut-real'), execFileSync('head', ['-c', '300', program]));
  assert.is(codeOf(() => readElf(join(dir, 'cut-real'))), 'E_ELF_TRUNCATED');
});

test('every prefix and every single-byte corruption of a header is an ElfInfo or a UserError', () => {
  const dir = tempDir();
  const good = craftElf({ needed: ['libc.so.6', 'libm.so.6'] });
  const path = join(dir, 'f');
  let refused = 0;
  const attempt = (bytes: Buffer): void => {
    writeFileSync(path, bytes);
    try {
      readElf(path);
    } catch (error) {
      if (!(error instanceof UserError)) throw new Error(`not a UserError: ${String(error)}`);
      assert.match(error.code, /^E_ELF_/);
      refused++;
    }
  };
  for (let cut = 0; cut < good.length; cut++) attempt(good.subarray(0, cut));
  // Each byte of the headers and dynamic entries set to 0xff (lengths, offsets, tags, counts).
  for (let at = 0; at < good.length; at++) {
    const bad = Buffer.from(good);
    bad[at] = 0xff;
    attempt(bad);
  }
  assert.ok(refused > good.length, `only ${refused} of ${2 * good.length} variants were refused`);
});

test('absurd counts and offsets: program headers, phoff, string table, name offsets', () => {
  const dir = tempDir();
  const many = craftElf();
  many.writeUInt16LE(0xffff, 56);
  writeFileSync(join(dir, 'phnum'), many);
  assert.is(codeOf(() => readElf(join(dir, 'phnum'))), 'E_ELF_TOO_MANY');
  const far = craftElf();
  far.writeBigUInt64LE(1n << 40n, 32);
  writeFileSync(join(dir, 'phoff'), far);
  assert.is(codeOf(() => readElf(join(dir, 'phoff'))), 'E_ELF_TRUNCATED');
  const huge = craftElf();
  huge.writeBigUInt64LE(1n << 63n, 32);
  writeFileSync(join(dir, 'phoff-huge'), huge);
  assert.is(codeOf(() => readElf(join(dir, 'phoff-huge'))), 'E_ELF_MALFORMED');
  const unmapped = writeElf(join(dir, 'strtab'), { needed: ['libc.so.6'], strtabAddr: 0x7fff0000n });
  assert.is(codeOf(() => readElf(unmapped)), 'E_ELF_MALFORMED');
  const wrap = writeElf(join(dir, 'strtab-wrap'), { needed: ['libc.so.6'], strtabAddr: (1n << 64n) - 4n });
  assert.is(codeOf(() => readElf(wrap)), 'E_ELF_MALFORMED');
});

test('more DT_NEEDED entries than the cap is refused, not read', () => {
  const names = Array.from({ length: 5000 }, (_, i) => `libx${i}.so`);
  const path = writeElf(join(tempDir(), 'needy'), { needed: names });
  assert.is(codeOf(() => readElf(path)), 'E_ELF_TOO_MANY_NEEDED');
  const atCap = writeElf(join(tempDir(), 'at-cap'), { needed: names.slice(0, MAX_NEEDED) });
  assert.is(readElf(atCap).needed.length, MAX_NEEDED);
});

test('a DT_NEEDED name longer than a file name is refused', () => {
  const path = writeElf(join(tempDir(), 'long'), { needed: [`lib${'x'.repeat(300)}.so`] });
  assert.is(codeOf(() => readElf(path)), 'E_ELF_MALFORMED');
});

test('links, folders, FIFOs and missing files are refused without following or blocking', () => {
  const dir = tempDir();
  const program = compile(dir, 'hello', HELLO);
  symlinkSync(program, join(dir, 'link'));
  mkdirSync(join(dir, 'folder'));
  execFileSync('mkfifo', [join(dir, 'fifo')]);
  assert.is(codeOf(() => readElf(join(dir, 'link'))), 'E_ELF_NOT_A_FILE');
  assert.is(codeOf(() => readElf(join(dir, 'folder'))), 'E_ELF_NOT_A_FILE');
  assert.is(codeOf(() => readElf(join(dir, 'fifo'))), 'E_ELF_NOT_A_FILE');
  assert.is(codeOf(() => readElf(join(dir, 'missing'))), 'E_ELF_NOT_FOUND');
});

test('messages name the file and say what to do', () => {
  const path = writeElf(join(tempDir(), 'main'), { elfClass: 1 });
  try {
    readElf(path);
    assert.unreachable('a 32-bit file was accepted');
  } catch (error) {
    assert.instance(error, UserError);
    assert.match((error as Error).message, /^main: .*32-bit.*-m32/);
  }
});

test.run();
