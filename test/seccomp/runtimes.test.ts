// Legitimate programs run clean under their policies: the real compiler and runtimes, with the
// filter installed (no namespaces here) and a listener that records any call outside the policy.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { languageRecord } from '../../services/grading/languages/registry.js';
import { syscallName } from '../../services/seccomp/addon.js';
import { compilePolicy } from '../../services/seccomp/policy.js';
import { applyAndExec, buildApplyHelper, type ApplyResult } from './apply.js';

const C_PROGRAM = `#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static long sums[4];
static void *work(void *arg) { long i = (long)arg; for (long k = 0; k < 100000; k++) sums[i] += k % 7; return NULL; }
int main(void) {
  char line[64]; long n = 0;
  while (fgets(line, sizeof line, stdin)) n += (long)strlen(line);
  pthread_t t[4];
  for (long i = 0; i < 4; i++) pthread_create(&t[i], NULL, work, (void *)i);
  for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
  char *big = malloc(64 << 20); memset(big, 1, 64 << 20);
  FILE *f = fopen("out.txt", "w"); fprintf(f, "%ld\\n", n); fclose(f);
  printf("%ld %ld %d\\n", n, sums[3], big[4096]);
  return 0;
}
`;

const CXX_PROGRAM = `#include <iostream>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>
int main() {
  std::mutex m; long total = 0; std::vector<std::thread> ts;
  for (int i = 1; i <= 4; i++) ts.emplace_back([&, i] { std::lock_guard<std::mutex> g(m); total += i; });
  for (auto &t : ts) t.join();
  try { throw std::runtime_error("caught"); } catch (const std::exception &e) { std::cout << e.what() << " "; }
  std::cout << total << std::endl;
}
`;

const PYTHON_PROGRAM = `import concurrent.futures, subprocess, sys, threading
data = sys.stdin.read()
out = []
threads = [threading.Thread(target=lambda i=i: out.append(i * i)) for i in range(4)]
for t in threads: t.start()
for t in threads: t.join()
with concurrent.futures.ThreadPoolExecutor(4) as pool: squares = sum(pool.map(lambda x: x * x, range(10)))
child = subprocess.run([sys.executable, "-c", "print('child')"], capture_output=True, text=True)
shell = subprocess.run(["/bin/sh", "-c", "echo hi | cat"], capture_output=True, text=True)
print(len(data), sum(out), squares, child.stdout.strip(), shell.stdout.strip())
`;

const JAVA_PROGRAM = `import java.util.*;
import java.util.concurrent.*;
public class Main {
  public static void main(String[] args) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<Integer>> parts = new ArrayList<>();
    for (int i = 1; i <= 8; i++) { final int k = i; parts.add(pool.submit(() -> k * k)); }
    int total = 0;
    for (Future<Integer> part : parts) total += part.get();
    pool.shutdown();
    System.out.println(pool.awaitTermination(10, TimeUnit.SECONDS) + " " + total);
  }
}
`;

const NODE_PROGRAM = `import { Worker } from 'node:worker_threads';
const worker = new Worker('require("node:worker_threads").parentPort.postMessage(6 * 7)', { eval: true });
const answer = await new Promise((resolve, reject) => { worker.on('message', resolve); worker.on('error', reject); });
await worker.terminate();
console.log('worker', answer);
`;

const GO_PROGRAM = `package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"sync"
	"time"
)

func main() {
	var a, b int
	fmt.Fscan(bufio.NewReader(os.Stdin), &a, &b)
	var wg sync.WaitGroup
	sums := make(chan int, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) { defer wg.Done(); s := 0; for k := 0; k < 2000000; k++ { s += k % (i + 1) }; time.Sleep(time.Millisecond); sums <- s }(i)
	}
	wg.Wait()
	close(sums)
	total := 0
	for s := range sums { total += s }
	big := make([]byte, 64<<20)
	big[4096] = 1
	big = nil
	runtime.GC()
	os.WriteFile("out-go.txt", []byte(fmt.Sprintln(a+b)), 0o644)
	defer func() { fmt.Println(a+b, total > 0, recover()) }()
	var m map[string]int
	m["panics"] = 1
}
`;

let dir = '';
let helper = '';

test.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'gradebox-runtimes-'));
  helper = buildApplyHelper(dir);
  writeFileSync(join(dir, 'prog.c'), C_PROGRAM);
  writeFileSync(join(dir, 'prog.cc'), CXX_PROGRAM);
  writeFileSync(join(dir, 'prog.py'), PYTHON_PROGRAM);
  writeFileSync(join(dir, 'Main.java'), JAVA_PROGRAM);
  writeFileSync(join(dir, 'prog.mjs'), NODE_PROGRAM);
  writeFileSync(join(dir, 'prog.go'), GO_PROGRAM);
});

test.after(() => {
  rmSync(dir, { recursive: true, force: true });
});

function has(program: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function runUnder(policy: string, argv: string[], stdin = ''): ApplyResult {
  return applyAndExec(helper, dir, compilePolicy(policy).bpf, argv, { listen: true, stdin, timeoutMs: 60_000 });
}

function assertClean(result: ApplyResult, what: string): void {
  const names = result.notified.map((n) => `${syscallName(n.nr) ?? n.nr} (arch 0x${n.arch.toString(16)})`);
  assert.equal(names, [], `${what} made calls outside its policy: ${names.join(', ')}`);
  assert.is(result.exit, 0, `${what} failed: ${result.stderr}`);
}

test('gcc compiles C and g++ compiles C++ under the compile policy', () => {
  assertClean(runUnder('compile', ['gcc', '-O2', '-o', 'prog', 'prog.c', '-lpthread']), 'gcc');
  assertClean(runUnder('compile', ['g++', '-O2', '-o', 'progxx', 'prog.cc']), 'g++');
});

test('the compiled C and C++ programs, with threads, run clean under default', () => {
  const c = runUnder('default', ['./prog'], 'hello\nworld\n');
  assertClean(c, 'C program');
  assert.match(c.stdout, /^12 \d+ 1\n/);
  const cxx = runUnder('default', ['./progxx']);
  assertClean(cxx, 'C++ program');
  assert.match(cxx.stdout, 'caught 10');
});

test('python with threads, a thread pool and subprocess runs clean under python', () => {
  if (!has('python3')) return void console.log('  (python3 not installed; skipped)');
  const result = runUnder('python', ['python3', 'prog.py'], 'abc\n');
  assertClean(result, 'python3');
  assert.match(result.stdout, '4 14 285 child hi');
});

test('java with an ExecutorService runs clean under java', () => {
  if (!has('java')) return void console.log('  (java not installed; skipped)');
  const result = runUnder('java', ['java', 'Main.java']);
  assertClean(result, 'java');
  assert.match(result.stdout, 'true 204');
});

test('node with a worker thread runs clean under node', () => {
  const result = runUnder('node', [process.execPath, 'prog.mjs']);
  assertClean(result, 'node');
  assert.match(result.stdout, 'worker 42');
});

test('go build under go, with the record\'s build environment, and the static program with goroutines under go', () => {
  if (!has('go')) return void console.log('  (go not installed; skipped)');
  // The record's environment, its cache and GOPATH moved into the test's folder (removed after).
  const env = { ...languageRecord('go').buildEnv, GOCACHE: join(dir, 'go-build'), GOPATH: join(dir, 'go') };
  const envArgs = ['env', '-i', 'PATH=/usr/bin:/bin', `HOME=${dir}`, 'TMPDIR=/tmp', ...Object.entries(env).map(([k, v]) => `${k}=${v}`)];
  assertClean(runUnder('go', [...envArgs, 'go', 'build', '-buildvcs=false', '-o', 'prog-go', 'prog.go']), 'go build');
  const result = runUnder('go', ['./prog-go'], '2 3\n');
  assertClean(result, 'go program');
  assert.match(result.stdout, 'true assignment to entry in nil map');
  assert.is(readFileSync(join(dir, 'out-go.txt'), 'utf8'), '5\n');
});

test.run();
