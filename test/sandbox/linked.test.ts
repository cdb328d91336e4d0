// Two sandboxes joined by pipes (runLinked): each one's stdout is the other's stdin, nothing else
// is shared (files, processes), and a second program that outlives the first is stopped.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { resolveLimits } from '../../services/sandbox/limits.js';
import { LINKED_GRACE_MS, prepareSandbox, runLinked } from '../../services/sandbox/sandbox.js';
import { sandboxesClosed } from '../../services/sandbox/launcher.js';
import { rejectionOf, removeTempDirs, tempDir } from '../support/helpers.js';

test.after(async () => {
  await sandboxesClosed();
  removeTempDirs();
});

const limits = resolveLimits({ cpuMs: 3000, wallMs: 8000, memoryMb: 128 });

test('a conversation: each program reads what the other writes; stderr stays each one\'s own', async () => {
  const { first, second, secondCut } = await runLinked(
    { argv: ['python3', '-c', "import sys\nfor n in range(3):\n    print(n, flush=True)\n    print('heard', sys.stdin.readline().strip(), file=sys.stderr)"], limits, policy: 'python' },
    { argv: ['python3', '-c', "import sys\nfor line in sys.stdin:\n    print(int(line) * 10, flush=True)"], limits, policy: 'python' },
  );
  assert.is(first.status, 'ok', first.stderr);
  assert.is(first.stderr, 'heard 0\nheard 10\nheard 20\n');
  assert.is(first.stdout, '', 'a linked program\'s stdout goes to the other one, not to the report');
  assert.is(second.status, 'ok', second.stderr);
  assert.is(secondCut, false);
});

test('the two sandboxes share nothing but the pipes: not /box, not processes', async () => {
  const secret = tempDir();
  writeFileSync(join(secret, 'answers.txt'), 'the expected output\n');
  const { first, second } = await runLinked(
    { argv: ['sh', '-c', 'cat answers.txt >&2; echo ready; read reply; echo "$reply" >&2'], limits, dir: secret },
    { argv: ['sh', '-c', 'read x; ls /box >&2; (cat /box/answers.txt || echo no-file) 2>/dev/null; ps -e >/dev/null 2>&1; ls /proc | grep -c "^[0-9]" >&2'], limits },
  );
  assert.is(first.status, 'ok', first.stderr);
  assert.equal(first.stderr.split('\n').slice(0, 2), ['the expected output', 'no-file']);
  assert.ok(!second.stderr.includes('answers.txt'), second.stderr);
  // Only the second sandbox's own processes are visible in it (its init, sh and ls/grep).
  assert.ok(Number(second.stderr.trim().split('\n').at(-1)) <= 4, second.stderr);
});

test('a second program that ignores the end of its input is stopped once the first has ended', async () => {
  const started = performance.now();
  const { first, second, secondCut } = await runLinked(
    { argv: ['sh', '-c', 'echo bye'], limits },
    { argv: ['sh', '-c', 'trap "" PIPE; while :; do sleep 1; done'], limits },
  );
  const elapsed = performance.now() - started;
  assert.is(first.status, 'ok');
  assert.is(secondCut, true);
  assert.is(second.status, 'internal_error'); // cancelled: the caller knows it cut it (secondCut)
  assert.ok(elapsed >= LINKED_GRACE_MS && elapsed < limits.wallMs, `${elapsed} ms`);
});

test('a program that stops reading makes the writer block, and its wall limit ends it: no hung grading', async () => {
  const short = resolveLimits({ cpuMs: 2000, wallMs: 1500, memoryMb: 64 });
  const { first } = await runLinked(
    { argv: ['sh', '-c', 'yes flood'], limits: short },
    { argv: ['sh', '-c', 'sleep 30'], limits: short },
  );
  assert.is(first.status, 'wall_time_limit');
});

test('only two sandboxes waiting for their run can be linked, once; a linked run takes no stdin file', async () => {
  const a = prepareSandbox(limits);
  const b = prepareSandbox(limits);
  a.linkWith(b);
  assert.throws(() => a.linkWith(b), /only two sandboxes waiting for their run can be linked/);
  await Promise.all([a.dispose(), b.dispose()]);
  const refused = await rejectionOf(runLinked({ argv: ['true'], limits, stdin: '/dev/null' }, { argv: ['true'], limits }), 'a linked run with a stdin file');
  assert.match(String(refused), /linked runs read each other/);
});

test.run();
