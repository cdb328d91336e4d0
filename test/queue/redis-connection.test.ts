// Redis URLs, the two connection profiles (fail fast vs. wait it out) and the noeviction check.
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { UserError } from '../../services/common/errors.js';
import { startPrivateRedis, type PrivateRedis } from '../../services/queue/private-redis.js';
import { checkRedisAccess, connectRedis, evictionProblem, parseRedisUrl, redactedRedisUrl, redisAccessProblem } from '../../services/queue/redis-connection.js';
import { rejectionOf, removeTempDirs, tempDir } from '../support/helpers.js';
import { closeConnections, connection, privateRedis } from '../support/queue-fixtures.js';

const servers: PrivateRedis[] = [];
test.after.each(async () => {
  closeConnections();
  for (const server of servers.splice(0)) await server.stop();
});
test.after(removeTempDirs);

test('URLs: redis://, rediss://, unix:// and bare socket paths', () => {
  assert.equal(parseRedisUrl('redis://cache.internal:6380/2'), { kind: 'tcp', host: 'cache.internal', port: 6380, db: 2, tls: false });
  assert.equal(parseRedisUrl('redis://localhost'), { kind: 'tcp', host: 'localhost', port: 6379, db: 0, tls: false });
  assert.equal(parseRedisUrl('rediss://u:p%40ss@[::1]:7000'), { kind: 'tcp', host: '::1', port: 7000, db: 0, tls: true, username: 'u', password: 'p@ss' });
  assert.equal(parseRedisUrl('unix:///run/gradebox/redis.sock'), { kind: 'socket', path: '/run/gradebox/redis.sock', db: 0 });
  assert.equal(parseRedisUrl('unix:///tmp/r.sock?db=3'), { kind: 'socket', path: '/tmp/r.sock', db: 3 });
  assert.equal(parseRedisUrl('/var/run/redis.sock'), { kind: 'socket', path: '/var/run/redis.sock', db: 0 });
});

test('bad URLs name the input and the accepted forms', () => {
  for (const [url, why] of [['localhost:6379', /scheme "localhost:"/], ['http://x:1', /scheme "http:"/], ['redis://h/x', /database "x"/], ['nonsense', /is not a URL/], ['unix://', /no socket path/]] as const) {
    try {
      parseRedisUrl(url);
      assert.unreachable(`${url} was accepted`);
    } catch (error) {
      assert.instance(error, UserError, url);
      assert.match((error as Error).message, why, url);
      assert.match((error as Error).message, /use redis:\/\/HOST:PORT/);
    }
  }
});

test('a Redis gradebox must not use: over TCP without a password, or on a socket every local user may write; its password never shown', async () => {
  const open = redisAccessProblem('redis://10.0.0.5:6379', 'REDIS_URL');
  assert.match(open ?? '', /^REDIS_URL redis:\/\/10\.0\.0\.5:6379 gives no password/);
  assert.match(open ?? '', /requirepass or an ACL user/);
  assert.match(open ?? '', /redis:\/\/:PASSWORD@10\.0\.0\.5:6379/);
  assert.match(open ?? '', /leave REDIS_URL unset/);
  assert.match(redisAccessProblem('rediss://cache:6380/1', '--redis') ?? '', /^--redis rediss:\/\/cache:6380\/1 gives no password/);
  assert.is(redisAccessProblem('redis://:s3cret@10.0.0.5:6379', 'REDIS_URL'), null);
  assert.is(redisAccessProblem('redis://gradebox:s3cret@10.0.0.5', 'REDIS_URL'), null);
  const error = await rejectionOf(Promise.resolve().then(() => checkRedisAccess('redis://127.0.0.1:6379', 'REDIS_URL')), 'a passwordless Redis');
  assert.instance(error, UserError);
  assert.is((error as UserError).code, 'E_REDIS_OPEN');
  const server = await privateRedis();
  servers.push(server);
  assert.is(redisAccessProblem(server.url, 'REDIS_URL'), null, 'the private socket is its owner\'s alone (700)');
  chmodSync(server.socketPath, 0o777);
  assert.match(redisAccessProblem(server.url, 'REDIS_URL') ?? '', /every local user may write to that socket \(mode 777\)/);
  assert.is(redactedRedisUrl('redis://user:s3cret@cache:6379/2'), 'redis://user:***@cache:6379/2');
  assert.is(redactedRedisUrl('rediss://:s3cret@cache'), 'rediss://:***@cache');
  assert.is(redactedRedisUrl('unix:///run/r.sock'), 'unix:///run/r.sock');
});

test('api profile: a command fails within moments when Redis is away', async () => {
  const redis = connectRedis(`unix://${join(tempDir(), 'nobody.sock')}`, { profile: 'api' });
  try {
    const started = Date.now();
    const error = await rejectionOf(redis.set('k', 'v'), 'a command without Redis');
    assert.match((error as Error).message, /enableOfflineQueue|Stream isn't writeable|ENOENT|Connection/);
    assert.ok(Date.now() - started < 1000, `failed after ${Date.now() - started} ms`);
  } finally {
    redis.disconnect();
  }
});

test('worker profile: a command waits until Redis comes, then succeeds', async () => {
  const dir = tempDir('gbr-');
  const redis = connectRedis(`unix://${join(dir, 'redis.sock')}`, { profile: 'worker', maxBackoffMs: 200 });
  try {
    const pending = redis.set('k', 'v');
    let settled = false;
    void pending.finally(() => { settled = true; });
    await new Promise((r) => setTimeout(r, 700));
    assert.not.ok(settled, 'the command waits while Redis is away');
    servers.push(await startPrivateRedis({ dir }));
    assert.is(await pending, 'OK');
    assert.is(await redis.get('k'), 'v');
  } finally {
    redis.disconnect();
  }
});

test('noeviction check: fine on our server, a clear problem otherwise', async () => {
  const server = await privateRedis();
  servers.push(server);
  const redis = await connection(server, 'api');
  assert.is(await evictionProblem(redis), null);
  await redis.config('SET', 'maxmemory-policy', 'allkeys-lru');
  const problem = await evictionProblem(redis);
  assert.match(problem ?? '', /maxmemory-policy is "allkeys-lru".*set "maxmemory-policy noeviction"/);
});

test.run();
