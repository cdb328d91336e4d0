// gradebox workers token create: the data folder's worker token, alone on the last line (what a
// grading host's --token-file holds), kept in the file the API reads, the service account's alone;
// asked again, the same token (one per installation: the jobs are signed with a key made from it).
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { config } from '../../services/common/config.js';
import { lookUpServiceUser } from '../../services/account/service-user.js';
import { CLI } from '../../services/bench/local-service.js';
import { removeTempDirs, tempDir } from '../support/helpers.js';

test.after(removeTempDirs);

function gradebox(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const lastLine = (text: string) => text.trimEnd().split('\n').pop();

test('workers token create prints a new token alone on its last line, kept where the API reads it', () => {
  const parent = tempDir();
  chmodSync(parent, 0o755); // the service account makes the token: it must reach the folder
  const data = join(parent, 'var');
  const made = gradebox(['workers', 'token', 'create', '--data', data]);
  assert.is(made.status, 0, made.stderr);
  const token = lastLine(made.stdout)!;
  assert.match(token, /^[A-Za-z0-9_-]{43}$/);
  const file = join(data, 'worker-token');
  assert.is(readFileSync(file, 'utf8').trim(), token);
  const st = statSync(file);
  assert.is(st.mode & 0o777, 0o600);
  assert.is(st.uid, lookUpServiceUser(config().serviceUser).uid, 'the service account owns it, as the API would');

  const again = gradebox(['workers', 'token', 'create', '--data', data]);
  assert.is(again.status, 0, again.stderr);
  assert.is(lastLine(again.stdout), token, 'the same token: a new one would orphan the queued jobs');
});

test('workers with anything else is a usage error that shows the usage', () => {
  const wrong = gradebox(['workers', 'token', 'rotate']);
  assert.is(wrong.status, 2);
  assert.match(wrong.stderr, /gradebox workers token create \[--data DIR\]/);
});

test.run();
