// Compiled programs run in real sandboxes on their minimal ELF runtime layer (default seccomp policy).
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { config } from '../../services/common/config.js';
import { elfRuntimeLayout } from '../../services/sandbox/elf-runtime.js';
import { hashTree } from '../../services/sandbox/layers.js';
import { resolveLimits } from '../../services/sandbox/limits.js';
import { runSandboxed, type RunResult } from '../../services/sandbox/sandbox.js';
import { removeTempDirs, tempDir } from '../support/helpers.js';
import { compile } from './elf-fixtures.js';

test.after(removeTempDirs);

const layersDir = (): string => join(config().stateDir, 'layers');

/** Compiles `source` on the host and runs it as ./name in /box on its own runtime layer. */
async function runCompiled(name: string, source: string, options: { cxx?: boolean; flags?: string[]; args?: string[] } = {}): Promise<RunResult> {
  const dir = tempDir();
  const binary = compile(dir, name, source, options);
  const layout = elfRuntimeLayout(binary, layersDir());
  return runSandboxed({ argv: [`./${name}`, ...(options.args ?? [])], limits: resolveLimits({}), dir, layout });
}

test('a C program with libm', async () => {
  const r = await runCompiled('cmath', '#include <math.h>\n#include <stdio.h>\nint main(int argc, char **argv) { printf("%.3f %s\\n", cbrt(argc * 27.0), argv[1]); return 0; }\n', { flags: ['-lm'], args: ['x'] });
  assert.is(r.status, 'ok', r.stderr);
  assert.is(r.stdout, '3.780 x\n');
});

test('a C++ program: iostream, an exception thrown and caught, std::thread, cmath', async () => {
  const source = `#include <cmath>
#include <iostream>
#include <stdexcept>
#include <thread>
#include <vector>
int main() {
  try { throw std::runtime_error("caught"); } catch (const std::exception &e) { std::cout << e.what() << "\\n"; }
  std::vector<long> sums(4);
  std::vector<std::thread> ts;
  for (int i = 0; i < 4; i++) ts.emplace_back([&sums, i] { for (long k = 0; k < 100000; k++) sums[i] += k % 3; });
  for (auto &t : ts) t.join();
  std::cout << sums[0] + sums[1] + sums[2] + sums[3] << " " << std::lround(std::sqrt(sums.size() * 4.0)) << std::endl;
}
`;
  const r = await runCompiled('cxx', source, { cxx: true, flags: ['-pthread'] });
  assert.is(r.status, 'ok', r.stderr);
  assert.is(r.stdout, `caught\n${4 * 99999} 4\n`);
});

test('a static binary', async () => {
  const r = await runCompiled('static', '#include <stdio.h>\nint main(void) { puts("static ok"); return 0; }\n', { flags: ['-static'] });
  assert.is(r.status, 'ok', r.stderr);
  assert.is(r.stdout, 'static ok\n');
});

test('threads and math, with pthread_exit (glibc dlopens libgcc_s for it)', async () => {
  const source = `#include <math.h>
#include <pthread.h>
#include <stdio.h>
static double results[4];
static void *work(void *arg) {
  long i = (long)arg;
  double s = 0;
  for (int k = 1; k <= 1000; k++) s += sin(k * (i + 1)) * sin(k * (i + 1)) + cos(k * (i + 1)) * cos(k * (i + 1));
  results[i] = s;
  pthread_exit(0);
}
int main(void) {
  pthread_t t[4];
  for (long i = 0; i < 4; i++) pthread_create(&t[i], 0, work, (void *)i);
  double total = 0;
  for (int i = 0; i < 4; i++) { pthread_join(t[i], 0); total += results[i]; }
  printf("%.0f\\n", total);
  return 0;
}
`;
  const r = await runCompiled('threads', source, { flags: ['-pthread', '-lm'] });
  assert.is(r.status, 'ok', r.stderr);
  assert.is(r.stdout, '4000\n');
});

test('inside: no compiler, no interpreter, no shell, no ld.so.cache; the layer cannot be written; locale and zone work', async () => {
  const source = `#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
static void show(const char *what, int rc) { printf("%s %s\\n", what, rc < 0 ? strerror(errno) : "ok"); }
int main(void) {
  const char *absent[] = {"/usr/bin/gcc", "/usr/bin/python3", "/bin/sh", "/usr/bin/env", "/etc/ld.so.cache", "/usr/include"};
  for (int i = 0; i < 6; i++) show(absent[i], access(absent[i], F_OK));
  show("write libc", open("/lib/x86_64-linux-gnu/libc.so.6", O_WRONLY));
  show("create in lib", open("/usr/lib/x86_64-linux-gnu/evil.so", O_WRONLY | O_CREAT, 0644));
  show("mkdir /usr/bin", mkdir("/usr/bin", 0755));
  show("create in /etc", open("/etc/ld.so.preload", O_WRONLY | O_CREAT, 0644));
  show("write /tmp", open("/tmp/ok", O_WRONLY | O_CREAT, 0644));
  printf("locale %s\\n", setlocale(LC_ALL, "") ? setlocale(LC_ALL, 0) : "none");
  tzset();
  printf("zone %s\\n", tzname[0]);
  return 0;
}
`;
  const dir = tempDir();
  const binary = compile(dir, 'probe', source);
  const layout = elfRuntimeLayout(binary, layersDir());
  const r = await runSandboxed({ argv: ['./probe'], limits: resolveLimits({}), dir, layout });
  assert.is(r.status, 'ok', r.stderr);
  assert.is(r.stdout, [
    '/usr/bin/gcc No such file or directory',
    '/usr/bin/python3 No such file or directory',
    '/bin/sh No such file or directory',
    '/usr/bin/env No such file or directory',
    '/etc/ld.so.cache No such file or directory',
    '/usr/include No such file or directory',
    'write libc Permission denied',
    'create in lib Permission denied',
    'mkdir /usr/bin Permission denied',
    'create in /etc Permission denied',
    'write /tmp ok',
    'locale C.UTF-8',
    'zone UTC',
    '',
  ].join('\n'));
  assert.is(hashTree(layout.skeleton), layout.digest, 'the layer on the host is unchanged');
});

test('a shell cannot be started on the layer', async () => {
  const layout = elfRuntimeLayout(compile(tempDir(), 'hello', '#include <stdio.h>\nint main(void) { puts("hi"); }\n'), layersDir());
  const r = await runSandboxed({ argv: ['/bin/sh', '-c', 'echo escaped'], limits: resolveLimits({}), layout });
  assert.is(r.status, 'runtime_error');
  assert.is(r.exit_code, 127);
  assert.is(r.stdout, '');
});

test('the default seccomp policy still applies: ptrace is a violation', async () => {
  const r = await runCompiled('tracer', '#include <stdio.h>\n#include <sys/ptrace.h>\nint main(void) { puts("before"); fflush(stdout); ptrace(PTRACE_TRACEME, 0, 0, 0); puts("after"); return 0; }\n');
  assert.is(r.status, 'violation', `${r.status} ${r.stdout}${r.stderr}`);
  assert.is(r.violation?.syscall, 'ptrace');
  assert.is(r.stdout, 'before\n');
});

test.run();
