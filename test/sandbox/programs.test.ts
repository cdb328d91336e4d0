// Legitimate programs keep working in the sandbox: threads, processes, stdin, files, runtimes.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { lstatSync, readdirSync, writeFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { resolveLimits } from '../../services/sandbox/limits.js';
import { runSandboxed } from '../../services/sandbox/sandbox.js';
import { folderWith, removeTempDirs, run, sh, tempDir } from '../support/helpers.js';

test.after(removeTempDirs);

test('a C program with threads (compiled on the host, run in the sandbox)', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'threads.c'), `
#include <pthread.h>
#include <stdio.h>
static long sums[4];
static void *work(void *arg) { long i = (long)arg; for (long k = 0; k < 1000000; k++) sums[i] += k % 7; return 0; }
int main(void) {
  pthread_t t[4];
  for (long i = 0; i < 4; i++) pthread_create(&t[i], 0, work, (void *)i);
  long total = 0;
  for (int i = 0; i < 4; i++) { pthread_join(t[i], 0); total += sums[i]; }
  printf("%ld\\n", total);
  return 0;
}`);
  execFileSync('gcc', ['-O2', '-pthread', '-o', join(dir, 'threads'), join(dir, 'threads.c')]);
  const r = await run(['./threads'], {}, { dir });
  assert.is(r.status, 'ok', r.stderr);
  assert.is(r.stdout, `${4 * 2999997}\n`);
});

test('fork and exec of /bin/sh', async () => {
  const r = await sh('/bin/sh -c "echo child $$" && echo parent');
  assert.is(r.status, 'ok', r.stderr);
  assert.match(r.stdout, /^child \d+\nparent\n$/);
});

test('reading stdin from a file', async () => {
  const dir = tempDir();
  const input = join(dir, 'input.txt');
  writeFileSync(input, '3\n4\n');
  const r = await run(['/usr/bin/python3', '-c', 'import sys\nprint(sum(int(l) for l in sys.stdin))'], {}, { stdin: input });
  assert.is(r.stdout, '7\n', r.stderr);
});

test('stdin is empty when none is given', async () => {
  const r = await sh('wc -c');
  assert.is(r.stdout.trim(), '0');
});

test('writing /box and /tmp', async () => {
  const r = await sh('echo a > /box/a && echo b > /tmp/b && cat /box/a /tmp/b && ls -ln /box/a | cut -d" " -f3');
  assert.is(r.stdout, 'a\nb\n1000\n', r.stderr);
});

test('python3 with threads and a subprocess', async () => {
  const dir = folderWith({
    'main.py': 'import threading, subprocess\nresults = []\nts = [threading.Thread(target=lambda i=i: results.append(i * i)) for i in range(8)]\n[t.start() for t in ts]\n[t.join() for t in ts]\nout = subprocess.run(["echo", "sub"], capture_output=True, text=True).stdout\nprint(sum(results), out.strip())\n',
  });
  const r = await run(['python3', 'main.py'], {}, { dir, policy: 'python' });
  assert.is(r.status, 'ok', r.stderr);
  assert.is(r.stdout, '140 sub\n');
});

test('java: single-file source launch with a thread pool', async () => {
  const dir = folderWith({
    'Main.java': `import java.util.concurrent.*;
public class Main {
  public static void main(String[] args) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    Future<Integer> f = pool.submit(() -> 6 * 7);
    System.out.println("java " + f.get());
    pool.shutdown();
  }
}`,
  });
  const r = await run(['java', '-Xmx128m', '-XX:+UseSerialGC', 'Main.java'], { cpuMs: 20000, wallMs: 30000, memoryMb: 768 }, { dir, policy: 'java' });
  assert.is(r.status, 'ok', r.stderr);
  assert.is(r.stdout, 'java 42\n');
});

test('node: a script with a worker thread', async () => {
  const dir = folderWith({
    'main.js': `const { Worker } = require('node:worker_threads');
const w = new Worker('const { parentPort } = require("node:worker_threads"); parentPort.postMessage(21 * 2);', { eval: true });
w.on('message', (m) => { console.log('node ' + m); w.terminate(); });`,
  });
  const r = await run(['node', 'main.js'], { memoryMb: 512, cpuMs: 10000 }, { dir, policy: 'node' });
  assert.is(r.status, 'ok', r.stderr);
  assert.is(r.stdout, 'node 42\n');
});

test('gcc compiles in the sandbox under the compile policy, and the program runs under default', async () => {
  const dir = folderWith({ 'main.c': '#include <stdio.h>\n#include <math.h>\nint main(void) { printf("%.1f\\n", sqrt(2.25)); return 0; }\n' });
  const build = await run(['gcc', '-O2', '-o', 'main', 'main.c', '-lm'], { cpuMs: 20000, wallMs: 30000 }, { dir, policy: 'compile' });
  assert.is(build.status, 'ok', build.stderr + JSON.stringify(build.violation));
  const cpp = await run(['g++', '-O2', '-x', 'c++', '-o', 'hello', '-'], { cpuMs: 30000, wallMs: 40000 }, { dir, policy: 'compile', stdin: (() => { const f = join(dir, 'hello.cc'); writeFileSync(f, '#include <iostream>\nint main() { std::cout << "c++" << std::endl; }\n'); return f; })() });
  assert.is(cpp.status, 'ok', cpp.stderr + JSON.stringify(cpp.violation));
});

test('/box can be handed back after the run (a build step\'s output): its files, not its links', async () => {
  const dir = folderWith({ 'main.c': 'int main(void) { return 0; }\n' });
  const out = tempDir();
  const r = await runSandboxed({ argv: ['/bin/sh', '-c', 'gcc -O2 -o main main.c && ln -s /etc/shadow shadow'], limits: resolveLimits({ cpuMs: 20000, wallMs: 30000 }), dir, boxOut: out, policy: 'compile' });
  assert.is(r.status, 'ok', r.stderr);
  assert.equal(readdirSync(out).sort(), ['main', 'main.c']);
  assert.is(lstatSync(join(out, 'main')).uid, 0, 'owned by the service, not a sandbox uid');
});

test.run();
