// The private redis-server: unix socket only (mode 700), noeviction, append-only persistence across a restart.
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { InternalError, UserError } from '../../services/common/errors.js';
import { startPrivateRedis, type PrivateRedis } from '../../services/queue/private-redis.js';
import { evictionProblem } from '../../services/queue/redis-connection.js';
import { rejectionOf, removeTempDirs, tempDir } from '../support/helpers.js';
import { closeConnections, connection } from '../support/queue-fixtures.js';

const servers: PrivateRedis[] = [];

test.after.each(async () => {
  closeConnections();
  for (const server of servers.splice(0)) await server.stop();
});
test.after(removeTempDirs);

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('answers on a unix socket only, with noeviction and an append-only file', async () => {
  const server = await startPrivateRedis({ dir: tempDir('gbr-') });
  servers.push(server);
  const socket = statSync(server.socketPath);
  assert.ok(socket.isSocket());
  assert.is(socket.mode & 0o777, 0o700, 'only its owner may connect');
  const redis = await connection(server, 'worker');
  assert.is(await redis.ping(), 'PONG');
  assert.equal(await redis.config('GET', 'port'), ['port', '0'], 'no TCP listener');
  assert.equal(await redis.config('GET', 'appendonly'), ['appendonly', 'yes']);
  assert.is(await evictionProblem(redis), null);
});

test('a restart on the same dir keeps every write', async () => {
  const dir = tempDir('gbr-');
  const first = await startPrivateRedis({ dir });
  servers.push(first);
  const before = await connection(first, 'worker');
  await before.rpush('jobs', 'a', 'b', 'c');
  const firstPid = first.pid!;
  await first.stop();
  assert.not.ok(processAlive(firstPid), 'the server is gone');

  const second = await startPrivateRedis({ dir });
  servers.push(second);
  const after = await connection(second, 'worker');
  assert.equal(await after.lrange('jobs', 0, -1), ['a', 'b', 'c']);
});

test('stop ends only the process it started', async () => {
  const a = await startPrivateRedis({ dir: tempDir('gbr-') });
  const b = await startPrivateRedis({ dir: tempDir('gbr-') });
  servers.push(a, b);
  await a.stop();
  assert.not.ok(processAlive(a.pid!));
  assert.ok(processAlive(b.pid!));
  assert.is(await (await connection(b, 'worker')).ping(), 'PONG');
});

test('a server ends with the process that started it, even one killed with SIGKILL', async () => {
  const dir = tempDir('gbr-');
  const module = new URL('../../services/queue/private-redis.js', import.meta.url).href;
  const starter = spawn(process.execPath, ['--input-type=module', '-e',
    `const { startPrivateRedis } = await import(${JSON.stringify(module)});
     const server = await startPrivateRedis({ dir: ${JSON.stringify(dir)} });
     console.log(server.pid);
     setInterval(() => {}, 1000);`], { stdio: ['ignore', 'pipe', 'inherit'] });
  const pid = await new Promise<number>((resolvePid, reject) => {
    starter.stdout.once('data', (line: Buffer) => resolvePid(Number(String(line).trim())));
    starter.once('exit', (code) => reject(new Error(`the starter exited (${code}) before its server answered`)));
  });
  try {
    assert.ok(processAlive(pid), 'the server runs');
    starter.kill('SIGKILL');
    const deadline = Date.now() + 10_000;
    while (processAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.not.ok(processAlive(pid), 'the server ended with its parent');
    const next = await startPrivateRedis({ dir });
    servers.push(next);
    assert.is(await (await connection(next, 'worker')).ping(), 'PONG', 'a new server starts in the same dir');
  } finally {
    if (processAlive(pid)) process.kill(pid, 'SIGKILL');
  }
});

test('a missing redis-server or an over-long dir is reported clearly', async () => {
  const missing = await rejectionOf(startPrivateRedis({ dir: tempDir('gbr-'), redisServer: '/nonexistent/redis-server' }), 'start without redis-server');
  assert.instance(missing, InternalError);
  assert.match((missing as Error).message, /cannot run \/nonexistent\/redis-server.*install the redis-server package/);
  const long = await rejectionOf(startPrivateRedis({ dir: join(tempDir('gbr-'), 'x'.repeat(120)) }), 'start in a long dir');
  assert.instance(long, UserError);
  assert.match((long as Error).message, /too long for a unix socket path/);
});

test('a second server in the same dir is refused, and the first keeps its socket', async () => {
  const dir = tempDir('gbr-');
  const server = await startPrivateRedis({ dir });
  servers.push(server);
  const second = startPrivateRedis({ dir, readyTimeoutMs: 3000 });
  second.then((s) => servers.push(s), () => {}); // stopped afterwards should the check ever fail
  const error = await rejectionOf(second, 'a second server in the same dir');
  assert.instance(error, UserError);
  assert.match((error as Error).message, /already answers on .*redis\.sock/);
  assert.is(await (await connection(server, 'worker')).ping(), 'PONG', 'the first server still answers');
});

test('a server that exits at start says so', async () => {
  const error = await rejectionOf(startPrivateRedis({ dir: tempDir('gbr-'), redisServer: '/bin/false' }), 'start with a server that exits');
  assert.instance(error, InternalError);
  assert.match((error as Error).message, /\/bin\/false exited at start \(code 1/);
});

test.run();
