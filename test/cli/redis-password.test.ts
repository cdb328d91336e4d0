// gradebox start, api and worker refuse a shared Redis that asks for no password (anyone who
// reaches it could queue gradings or read submissions), before they touch anything: the message
// names where the address came from and how to fix it.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { CLI } from '../../services/bench/local-service.js';
import { removeTempDirs, tempDir } from '../support/helpers.js';

test.after(removeTempDirs);

function gradebox(args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stderr: string } {
  const run = spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, REDIS_URL: '', ...env }, encoding: 'utf8', timeout: 30_000 });
  return { status: run.status, stderr: run.stderr };
}

test('REDIS_URL over TCP without a password: start, api and worker refuse it and make nothing', () => {
  const token = join(tempDir(), 'token');
  writeFileSync(token, 'a-token\n', { mode: 0o600 });
  const data = join(tempDir(), 'var');
  for (const args of [['start', '--data', data, '--port', '1'], ['api', '--data', data, '--port', '0'], ['worker', '--api', 'http://127.0.0.1:1', '--token-file', token]]) {
    const { status, stderr } = gradebox(args, { REDIS_URL: 'redis://127.0.0.1:6379' });
    assert.is(status, 2, `${args[0]}: ${stderr}`);
    assert.match(stderr, /REDIS_URL redis:\/\/127\.0\.0\.1:6379 gives no password/, args[0]);
    assert.match(stderr, /redis:\/\/:PASSWORD@127\.0\.0\.1:6379/, args[0]);
    assert.match(stderr, /\[E_REDIS_OPEN\]/, args[0]);
    assert.not.ok(existsSync(data), `${args[0]} made no data folder`);
  }
  const flag = gradebox(['worker', '--api', 'http://127.0.0.1:1', '--token-file', token, '--redis', 'redis://cache.internal']);
  assert.is(flag.status, 2);
  assert.match(flag.stderr, /--redis redis:\/\/cache\.internal gives no password/);
});

test.run();
