// The minimal runtime layer: what it holds, its digest and cache, and the binaries it refuses.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { appendFileSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { basename, join, posix } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { UserError } from '../../services/common/errors.js';
import { defaultLibraryDirs, elfRuntimeLayout, MAX_LIBRARIES } from '../../services/sandbox/elf-runtime.js';
import { hashTree } from '../../services/sandbox/layers.js';
import { removeTempDirs, tempDir } from '../support/helpers.js';
import { compile, writeElf } from './elf-fixtures.js';

test.after(removeTempDirs);

const HELLO = '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n';
const CXX = '#include <iostream>\nint main() { std::cout << "hi" << std::endl; }\n';

/** Every path in a layer (relative, sorted), links not followed. */
function listTree(root: string, rel = ''): string[] {
  return readdirSync(join(root, rel)).sort().flatMap((name) => {
    const path = rel ? `${rel}/${name}` : name;
    const st = lstatSync(join(root, path));
    return st.isDirectory() && !st.isSymbolicLink() ? [path, ...listTree(root, path)] : [path];
  });
}

/** Resolves `path` inside the layer as the sandbox will (links taken relative to the layer's root). */
function resolveInLayer(layer: string, path: string, hops = 0): string | null {
  assert.ok(hops < 40, `link loop at ${path}`);
  const parts = path.split('/').filter(Boolean);
  let done = '';
  for (let i = 0; i < parts.length; i++) {
    const here = `${done}/${parts[i]}`;
    let st;
    try {
      st = lstatSync(join(layer, here));
    } catch {
      return null;
    }
    if (st.isSymbolicLink()) {
      const target = readlinkSync(join(layer, here));
      const next = posix.resolve(target.startsWith('/') ? '/' : done || '/', target);
      return resolveInLayer(layer, [next, ...parts.slice(i + 1)].join('/'), hops + 1);
    }
    done = here;
  }
  return join(layer, done);
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function codeOf(call: () => unknown): { code: string; message: string } {
  try {
    call();
  } catch (error) {
    if (error instanceof UserError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('the binary was accepted, but an error was expected');
}

test('a C program: the loader and libc where the loader looks for them, the same bytes as the host, no cache', () => {
  const layers = tempDir();
  const layout = elfRuntimeLayout(compile(tempDir(), 'hello', HELLO), layers);
  assert.equal(layout.binds, []);
  for (const path of ['/lib64/ld-linux-x86-64.so.2', '/lib/x86_64-linux-gnu/libc.so.6', '/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2', '/lib/x86_64-linux-gnu/libgcc_s.so.1']) {
    const inLayer = resolveInLayer(layout.skeleton, path);
    assert.ok(inLayer && statSync(inLayer).isFile(), `${path} is missing from the layer`);
    assert.is(sha256(inLayer), sha256(path), `${path} differs from the host's`);
  }
  assert.is(resolveInLayer(layout.skeleton, '/etc/ld.so.cache'), null, 'the loader must find the libraries without a cache');
  for (const dir of ['box', 'tmp', 'proc', 'dev', 'etc']) assert.ok(statSync(join(layout.skeleton, dir)).isDirectory(), dir);
});

test('the layer holds no toolchain, no shell, no interpreter: only shared objects, /etc and glibc data', () => {
  const layout = elfRuntimeLayout(compile(tempDir(), 'hi', CXX, { cxx: true }), tempDir());
  const paths = listTree(layout.skeleton);
  for (const path of paths) {
    assert.not.match(path, /(^|\/)(bin|sbin|libexec|include)(\/|$)/, path);
    const st = lstatSync(join(layout.skeleton, path));
    if (!st.isFile()) continue;
    const allowed = /^etc\/[a-z.]+$/.test(path) || /\.so(\.[0-9.]+)?$/.test(path) || path.startsWith('usr/lib/locale/C.utf8/') || path.startsWith('usr/share/zoneinfo/');
    assert.ok(allowed, `unexpected file in the layer: ${path}`);
  }
  const libs = paths.filter((p) => /\.so/.test(p) && lstatSync(join(layout.skeleton, p)).isFile()).map((p) => p.slice(p.lastIndexOf('/') + 1)).sort();
  const expected = ['ld-linux-x86-64.so.2', 'libc.so.6', 'libgcc_s.so.1', 'libm.so.6', 'libstdc++.so.6'].map((n) => basename(realpathSync(`/lib/x86_64-linux-gnu/${n}`)));
  assert.equal(libs, expected.sort());
});

test('a static binary gets mount points and /etc, no libraries', () => {
  const layout = elfRuntimeLayout(compile(tempDir(), 'static', HELLO, { flags: ['-static'] }), tempDir());
  assert.equal(readdirSync(layout.skeleton).sort(), ['box', 'dev', 'etc', 'proc', 'tmp']);
});

test('the digest: stable across calls, equal for the same library set, different for a different one', () => {
  const layers = tempDir();
  const dir = tempDir();
  const c1 = elfRuntimeLayout(compile(dir, 'a', HELLO), layers);
  const c2 = elfRuntimeLayout(compile(dir, 'b', '#include <stdio.h>\nint main(void) { printf("%d\\n", 42); }\n'), layers);
  const again = elfRuntimeLayout(join(dir, 'a'), layers);
  const cxx = elfRuntimeLayout(compile(dir, 'c', CXX, { cxx: true }), layers);
  const st = elfRuntimeLayout(compile(dir, 's', HELLO, { flags: ['-static'] }), layers);
  assert.equal(again, c1);
  assert.equal(c2, c1, 'two programs needing only libc share a layer');
  assert.is.not(cxx.digest, c1.digest);
  assert.is.not(st.digest, c1.digest);
  assert.is.not(st.digest, cxx.digest);
  for (const layout of [c1, cxx, st]) assert.is(hashTree(layout.skeleton), layout.digest, 'the digest is the hash of the layer\'s content');
});

test('a second call reuses the built layer (no rebuild, a few ms)', () => {
  const layers = tempDir();
  const program = compile(tempDir(), 'hi', CXX, { cxx: true });
  const first = elfRuntimeLayout(program, layers);
  const entries = readdirSync(layers).sort();
  const built = statSync(first.skeleton);
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    const layout = elfRuntimeLayout(program, layers);
    times.push(performance.now() - start);
    assert.equal(layout, first);
  }
  assert.equal(readdirSync(layers).sort(), entries, 'nothing new was built');
  assert.is(statSync(first.skeleton).mtimeMs, built.mtimeMs);
  assert.is(statSync(first.skeleton).ino, built.ino);
  const median = times.sort((a, b) => a - b)[2]!;
  console.log(`    second call: median ${median.toFixed(2)} ms`);
  assert.ok(median < 15, `a cached layer took ${median.toFixed(1)} ms`);
});

test('an interpreter other than the system loader is refused, crafted or linked with --dynamic-linker', () => {
  const dir = tempDir();
  for (const interp of ['/box/evil-ld.so', '/lib/ld-linux.so.2', '/lib64/../box/ld.so', '/usr/bin/python3']) {
    const { code, message } = codeOf(() => elfRuntimeLayout(writeElf(join(dir, 'evil'), { interp, needed: ['libc.so.6'] }), tempDir()));
    assert.is(code, 'E_ELF_BAD_INTERP', interp);
    assert.ok(message.includes(JSON.stringify(interp)), message);
  }
  const linked = compile(dir, 'linked', HELLO, { flags: ['-Wl,--dynamic-linker=/box/evil-ld.so'] });
  assert.is(codeOf(() => elfRuntimeLayout(linked, tempDir())).code, 'E_ELF_BAD_INTERP');
});

test('library names that are paths or not names are refused', () => {
  const dir = tempDir();
  for (const name of ['/etc/passwd', '../../etc/shadow', 'x/libc.so.6', '..', 'lib c.so', 'libc.so.6\n']) {
    const path = writeElf(join(dir, 'p'), { needed: [name] });
    assert.is(codeOf(() => elfRuntimeLayout(path, tempDir())).code, 'E_ELF_BAD_NEEDED', JSON.stringify(name));
  }
});

test('a library the host lacks is refused by name, and RPATH does not reach host folders', () => {
  const missing = codeOf(() => elfRuntimeLayout(writeElf(join(tempDir(), 'p'), { needed: ['libgradebox-nonexistent.so.1'] }), tempDir()));
  assert.is(missing.code, 'E_ELF_LIBRARY_NOT_FOUND');
  assert.match(missing.message, /libgradebox-nonexistent\.so\.1/);
  // A real library next to the program, found at run time through the binary's own RPATH on the host.
  const dir = tempDir();
  execFileSync('sh', ['-c', `printf 'int gb_answer(void) { return 42; }\\n' > ${dir}/gb.c && gcc -shared -fPIC -o ${dir}/libgbrpath.so ${dir}/gb.c`]);
  const program = compile(dir, 'uses', 'int gb_answer(void);\nint main(void) { return gb_answer() == 42 ? 0 : 1; }\n', { flags: [`-L${dir}`, '-lgbrpath', `-Wl,-rpath,${dir}`] });
  execFileSync(program); // it does run on the host, through RPATH
  assert.is(codeOf(() => elfRuntimeLayout(program, tempDir())).code, 'E_ELF_LIBRARY_NOT_FOUND');
});

test('a DT_NEEDED loop is followed once; a chain longer than the cap is refused', () => {
  const libs = tempDir();
  writeElf(join(libs, 'libgbloopa.so'), { interp: null, needed: ['libgbloopb.so', 'libc.so.6'] });
  writeElf(join(libs, 'libgbloopb.so'), { interp: null, needed: ['libgbloopa.so'] });
  const libraryDirs = [libs, ...defaultLibraryDirs('x86_64')];
  const program = writeElf(join(tempDir(), 'loop'), { needed: ['libgbloopa.so', 'libc.so.6'] });
  const layout = elfRuntimeLayout(program, tempDir(), { libraryDirs });
  for (const name of ['libgbloopa.so', 'libgbloopb.so']) {
    const inLayer = resolveInLayer(layout.skeleton, `/lib/x86_64-linux-gnu/${name}`);
    assert.ok(inLayer, `${name} is not where the loader looks`);
    assert.is(sha256(inLayer), sha256(join(libs, name)));
  }

  const count = MAX_LIBRARIES + 10;
  for (let i = 0; i < count; i++) writeElf(join(libs, `libgbchain${i}.so`), { interp: null, needed: i + 1 < count ? [`libgbchain${i + 1}.so`] : [] });
  const chained = writeElf(join(tempDir(), 'chain'), { needed: ['libgbchain0.so'] });
  const { code, message } = codeOf(() => elfRuntimeLayout(chained, tempDir(), { libraryDirs }));
  assert.is(code, 'E_ELF_TOO_MANY_LIBRARIES');
  assert.match(message, new RegExp(`more than ${MAX_LIBRARIES}`));
});

test('a library of the wrong class or machine is skipped, as the loader skips it', () => {
  const wrong = tempDir();
  const right = tempDir();
  writeElf(join(wrong, 'libgbpick.so'), { interp: null, elfClass: 1 });
  writeElf(join(right, 'libgbpick.so'), { interp: null });
  const program = writeElf(join(tempDir(), 'pick'), { needed: ['libgbpick.so'] });
  const layout = elfRuntimeLayout(program, tempDir(), { libraryDirs: [wrong, right, ...defaultLibraryDirs('x86_64')] });
  const inLayer = resolveInLayer(layout.skeleton, '/lib/x86_64-linux-gnu/libgbpick.so');
  assert.ok(inLayer);
  assert.is(sha256(inLayer), sha256(join(right, 'libgbpick.so')));
});

test('a library with different content gives a different layer and digest (provenance)', () => {
  const libs = tempDir();
  const layers = tempDir();
  const lib = writeElf(join(libs, 'libgbprov.so'), { interp: null });
  const program = writeElf(join(tempDir(), 'prov'), { needed: ['libgbprov.so'] });
  const options = { libraryDirs: [libs, ...defaultLibraryDirs('x86_64')] };
  const before = elfRuntimeLayout(program, layers, options);
  appendFileSync(lib, 'a different build');
  const after = elfRuntimeLayout(program, layers, options);
  assert.is.not(after.digest, before.digest);
  assert.is.not(after.skeleton, before.skeleton);
  assert.equal(elfRuntimeLayout(program, layers, options), after);
});

test('a foreign machine, and libraries without a loader, are refused', () => {
  const dir = tempDir();
  assert.is(codeOf(() => elfRuntimeLayout(writeElf(join(dir, 'arm'), { machine: 183, interp: '/lib/ld-linux-aarch64.so.1' }), tempDir())).code, 'E_ELF_WRONG_MACHINE');
  assert.is(codeOf(() => elfRuntimeLayout(writeElf(join(dir, 'noloader'), { interp: null, needed: ['libc.so.6'] }), tempDir())).code, 'E_ELF_MALFORMED');
});

test('the default search path is the one ldconfig reads from /etc/ld.so.conf, in its order, then the system folders', () => {
  const fromLdconfig = execFileSync('ldconfig', ['-v', '-N', '-X'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    .split('\n').filter((l) => l.startsWith('/')).map((l) => l.slice(0, l.indexOf(':')));
  const ours = defaultLibraryDirs('x86_64');
  const positions = fromLdconfig.map((dir) => ours.indexOf(dir));
  assert.ok(positions.every((p) => p >= 0), `missing: ${fromLdconfig.filter((d) => !ours.includes(d)).join(' ')}`);
  assert.equal(positions, [...positions].sort((a, b) => a - b), 'ldconfig\'s order');
  for (const dir of ['/lib/x86_64-linux-gnu', '/usr/lib/x86_64-linux-gnu', '/lib', '/usr/lib', '/lib64', '/usr/lib64']) assert.ok(ours.includes(dir), dir);
  assert.is(new Set(ours).size, ours.length, 'no folder twice');
});

test('the cache index is per layers folder: a fresh folder builds its own layer', () => {
  const program = compile(tempDir(), 'hello', HELLO);
  const a = elfRuntimeLayout(program, tempDir());
  const layersB = join(tempDir(), 'nested', 'layers');
  mkdirSync(layersB, { recursive: true });
  const b = elfRuntimeLayout(program, layersB);
  assert.is(b.digest, a.digest);
  assert.ok(b.skeleton.startsWith(layersB), b.skeleton);
});

test.run();
