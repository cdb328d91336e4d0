// What a sandbox could learn about the host: only the allowlisted parts of /usr are there, and
// neither /proc/self/mountinfo nor its stdin descriptor names a host path (the state folder where
// layers live, the launcher's run folder, the folder /box came from, where hidden inputs lie).
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { config } from '../../services/common/config.js';
import { nodeOutsideUsr } from '../../services/sandbox/layers.js';
import { defaultLayoutOnce } from '../../services/sandbox/sandbox.js';
import { folderWith, removeTempDirs, run, sh, tempDir } from '../support/helpers.js';

test.after(removeTempDirs);

test('files in the host\'s /usr/local and /usr/src are not visible', async () => {
  const name = `gradebox-probe-${process.pid}`;
  const planted = ['/usr/local', '/usr/src'].map((dir) => join(dir, name));
  try {
    for (const path of planted) writeFileSync(path, 'host only\n');
    const r = await sh(`ls /usr; for p in ${planted.join(' ')}; do cat $p 2>/dev/null && echo "visible: $p"; done; ls /usr/local /usr/src 2>&1; true`);
    assert.is(r.status, 'ok', r.stderr);
    assert.not.match(r.stdout, /visible|host only/);
    assert.match(r.stdout, /'\/usr\/local': No such file/);
    const usr = r.stdout.split('\n').filter((line) => /^[a-z0-9]+$/.test(line));
    assert.ok(usr.includes('bin') && usr.includes('lib') && usr.includes('share'), usr.join(' '));
    assert.not.ok(usr.includes('local') || usr.includes('src'), usr.join(' '));
  } finally {
    for (const path of planted) rmSync(path, { force: true });
  }
});

test('every host path the default layout binds is bound at its own path, and none is /usr itself', () => {
  const { binds } = defaultLayoutOnce();
  for (const bind of binds) assert.is(bind.dst, bind.src);
  const paths = binds.map((b) => b.src);
  assert.ok(paths.includes('/usr/bin') && paths.includes('/usr/lib'), paths.join(' '));
  assert.not.ok(paths.some((p) => p === '/usr' || p.startsWith('/usr/local') || p.startsWith('/usr/src')), paths.join(' '));
});

test('the toolchains still run, each under its policy: gcc, g++, python3, java, node', async () => {
  const dir = folderWith({ 'a.c': 'int main(void){return 0;}\n', 'b.cc': '#include <vector>\nint main(){std::vector<int> v{1};return v[0]-1;}\n' });
  const limits = { cpuMs: 60_000, wallMs: 120_000, memoryMb: 1024, pids: 256 };
  const runs: Array<[string, string[]]> = [
    ['compile', ['/bin/sh', '-c', 'gcc -o a a.c && ./a && g++ -o b b.cc && ./b && echo ok']],
    ['python', ['python3', '-c', 'import json, ssl; print("ok")']],
    ['java', ['java', '-XX:+UseSerialGC', '-version']],
    ['node', ['node', '-e', 'console.log("ok")']],
  ];
  for (const [policy, argv] of runs) {
    const r = await run(argv, limits, { dir, policy });
    assert.is(r.status, 'ok', `${argv.join(' ')}: ${r.stderr}`);
    if (policy !== 'java') assert.is(r.stdout, 'ok\n');
  }
});

test('node under /usr/local alone is bound by itself, at its real path, with the link to it', () => {
  const root = tempDir();
  mkdirSync(join(root, 'usr/local/bin'), { recursive: true });
  mkdirSync(join(root, 'usr/local/lib/nodejs/bin'), { recursive: true });
  writeFileSync(join(root, 'usr/local/lib/nodejs/bin/node'), 'an executable');
  symlinkSync('../lib/nodejs/bin/node', join(root, 'usr/local/bin/node'));
  assert.equal(nodeOutsideUsr(root), {
    bind: { src: join(root, 'usr/local/lib/nodejs/bin/node'), dst: '/usr/local/lib/nodejs/bin/node' },
    link: ['usr/local/bin/node', '/usr/local/lib/nodejs/bin/node'],
  });
  mkdirSync(join(root, 'usr/bin'), { recursive: true });
  writeFileSync(join(root, 'usr/bin/node'), 'the distribution\'s');
  assert.is(nodeOutsideUsr(root), null, 'a node in /usr/bin needs nothing from /usr/local');
});

test('mountinfo and the stdin link name no host path: not the state or run folder, the /box folder, the input', async () => {
  const box = folderWith({ 'given.txt': 'x' });
  const inputDir = tempDir('gradebox-hidden-inputs-');
  const stdin = join(inputDir, 'secret-test-1.in');
  writeFileSync(stdin, 'hidden input\n');
  const r = await sh('cat /proc/self/mountinfo; readlink /proc/self/fd/0; ls -l /proc/self/fd/; cat', {}, { dir: box, stdin });
  assert.is(r.status, 'ok', r.stderr);
  assert.match(r.stdout, /lowerdir=lower,upperdir=upper,workdir=work/);
  assert.match(r.stdout, /hidden input\n$/);
  for (const hostPath of [config().stateDir, config().runDir, box, inputDir, stdin]) {
    assert.not.ok(r.stdout.includes(hostPath), `the sandbox saw ${hostPath}:\n${r.stdout}`);
  }
});

test('stdin is a sealed copy: 10 MiB arrive whole, and the program cannot change them', async () => {
  const input = randomBytes(10 << 20);
  const stdin = join(tempDir(), 'big.in');
  writeFileSync(stdin, input);
  const script = [
    'import hashlib, os, sys',
    'print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())',
    'for call in (lambda: os.write(0, b"x"), lambda: os.ftruncate(0, 1)):',
    '  try: call(); print("changed")',
    '  except OSError as e: print("refused", e.errno)',
  ].join('\n');
  const r = await run(['python3', '-c', script], {}, { stdin, policy: 'python' });
  assert.is(r.status, 'ok', r.stderr);
  assert.is(r.stdout, `${createHash('sha256').update(input).digest('hex')}\nrefused 1\nrefused 1\n`);
});

test.run();
