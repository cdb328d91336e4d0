// Each status of a sandboxed run, produced for real by the kernel's limits.
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { removeTempDirs, run, sh } from '../support/helpers.js';

test.after(removeTempDirs);

test('a clean exit is ok, with figures from the cgroup', async () => {
  const r = await sh('echo hello; echo oops >&2');
  assert.is(r.status, 'ok');
  assert.is(r.exit_code, 0);
  assert.is(r.signal, null);
  assert.is(r.stdout, 'hello\n');
  assert.is(r.stderr, 'oops\n');
  assert.ok(r.memory_kb > 0, 'memory measured');
  assert.ok(r.wall_ms >= 0 && r.wall_ms < 5000);
  assert.is(r.violation, null);
  assert.is(r.incident, null);
});

test('a non-zero exit is runtime_error with its code', async () => {
  const r = await sh('exit 3');
  assert.is(r.status, 'runtime_error');
  assert.is(r.exit_code, 3);
});

test('death by a signal is runtime_error with the signal', async () => {
  const r = await sh('kill -SEGV $$');
  assert.is(r.status, 'runtime_error');
  assert.is(r.signal, 11);
  assert.is(r.exit_code, null);
});

test('a busy loop is stopped at the CPU limit: time_limit', async () => {
  const r = await run(['/usr/bin/python3', '-c', 'while True: pass'], { cpuMs: 300, wallMs: 5000 });
  assert.is(r.status, 'time_limit');
  assert.ok(r.cpu_ms >= 300 && r.cpu_ms < 1000, `cpu_ms ${r.cpu_ms}`);
});

test('CPU time is counted across threads and processes', async () => {
  const r = await sh('(while :; do :; done) & (while :; do :; done) & wait', { cpuMs: 400, wallMs: 5000 });
  assert.is(r.status, 'time_limit');
  assert.ok(r.cpu_ms >= 400, `cpu_ms ${r.cpu_ms}`);
});

test('sleeping past the wall clock is wall_time_limit', async () => {
  const r = await sh('sleep 10', { cpuMs: 1000, wallMs: 300 });
  assert.is(r.status, 'wall_time_limit');
  assert.ok(r.wall_ms >= 300 && r.wall_ms < 2000, `wall_ms ${r.wall_ms}`);
});

test('allocating past the memory limit is memory_limit', async () => {
  const r = await run(['/usr/bin/python3', '-c', 'x = bytearray(200 * 1024 * 1024); print(len(x))'], { memoryMb: 64 });
  assert.is(r.status, 'memory_limit');
  assert.is(r.stdout, '');
  assert.ok(r.memory_kb >= 50 * 1024, `memory_kb ${r.memory_kb}`);
});

test('files in /tmp count toward the memory limit', async () => {
  const r = await sh('head -c 100000000 /dev/zero > /tmp/big && echo done', { memoryMb: 48 });
  assert.ok(r.status === 'memory_limit' || (r.status === 'runtime_error' && /No space/.test(r.stderr)), `${r.status} ${r.stderr}`);
  assert.not.match(r.stdout, /done/);
});

test('a flood of output is cut at the output limit: output_limit', async () => {
  const r = await sh('yes gradebox', { outputKb: 16 });
  assert.is(r.status, 'output_limit');
  assert.is(r.stdout_truncated, true);
  assert.is(r.stdout.length, 16 * 1024);
  assert.is(r.stderr_truncated, false);
});

test('stderr has its own output limit', async () => {
  const r = await sh('yes err >&2', { outputKb: 8 });
  assert.is(r.status, 'output_limit');
  assert.is(r.stderr_truncated, true);
  assert.is(Buffer.byteLength(r.stderr), 8 * 1024);
});

test('a file larger than fsize kills the writer with SIGXFSZ', async () => {
  const r = await sh('exec head -c 2000000 /dev/zero > /box/f', { fsizeKb: 1024 });
  assert.is(r.status, 'runtime_error');
  assert.is(r.signal, 25);
});

test('the pids limit stops a fork bomb', async () => {
  const r = await sh('i=0; while [ $i -lt 50 ]; do sleep 5 & i=$((i+1)); done; echo spawned', { pids: 10, wallMs: 3000 });
  assert.match(r.stderr, /fork|Resource temporarily unavailable|Cannot/i);
  assert.not.match(r.stdout, /spawned/);
});

test('the open files limit applies', async () => {
  const r = await run(['/usr/bin/python3', '-c', 'import os\nfds=[]\ntry:\n  while True: fds.append(os.open("/dev/null", 0))\nexcept OSError as e: print(len(fds) + 3, e.errno)'], { openFiles: 32 });
  assert.is(r.status, 'ok');
  assert.is(r.stdout.trim(), '32 24'); // EMFILE
});

test('a command that does not exist is runtime_error with exit 127', async () => {
  const r = await run(['/nonexistent/program']);
  assert.is(r.status, 'runtime_error');
  assert.is(r.exit_code, 127);
  assert.match(r.stderr, /cannot execute/);
});

test.run();
