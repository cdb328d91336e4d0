// gradebox webhooks, as an operator scripts it: add prints the endpoint's secret alone on its last
// line and refuses an address the operator has not allowed (SSRF), list, rotate (a new secret on
// the last line), disable and enable, the delivery log, redeliver and remove; and the inbound
// integrations. Each command is a process of its own, dropping to the service account.
import { spawnSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { CLI } from '../../services/bench/local-service.js';
import { removeTempDirs, tempDir } from '../support/helpers.js';

const parent = tempDir('gradebox-whcli-');
chmodSync(parent, 0o755); // the service account must reach the data folder inside
const data = join(parent, 'var');
const LOOPBACK = { GRADEBOX_WEBHOOK_ALLOW_NETWORKS: '127.0.0.0/8' };
test.after(removeTempDirs);

function gradebox(args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string; last: string } {
  const run = spawnSync(process.execPath, [CLI, ...args, '--data', data], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 30_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr, last: run.stdout.trimEnd().split('\n').at(-1) ?? '' };
}

test('add, list, rotate, disable, enable, deliveries, redeliver and remove an endpoint', () => {
  assert.is(gradebox(['courses', 'add', 'cs101']).status, 0);
  assert.is(gradebox(['keys', 'create', '--course', 'cs101']).status, 0);
  const refused = gradebox(['webhooks', 'add', '--course', 'cs101', '--url', 'http://127.0.0.1:9/hook']);
  assert.is(refused.status, 2);
  assert.match(refused.stderr, /the webhook address 127\.0\.0\.1 is loopback: .*GRADEBOX_WEBHOOK_ALLOW_NETWORKS.* \[E_WEBHOOK_ADDRESS\]/);
  const badEvents = gradebox(['webhooks', 'add', '--course', 'cs101', '--url', 'http://127.0.0.1:9/hook', '--events', 'submission.graded,everything'], LOOPBACK);
  assert.equal([badEvents.status, /not everything/.test(badEvents.stderr)], [2, true]);

  const added = gradebox(['webhooks', 'add', '--course', 'cs101', '--url', 'http://127.0.0.1:9/hook', '--events', 'submission.graded,submission.error'], LOOPBACK);
  assert.is(added.status, 0, added.stderr);
  assert.match(added.last, /^whsec_[A-Za-z0-9+/]{43}=$/, 'the secret alone on the last line');
  const id = /^(whe_[A-Za-z0-9_-]{16}) /.exec(added.stdout)?.[1];
  assert.ok(id, added.stdout);
  assert.match(gradebox(['webhooks', 'list', '--course', 'cs101']).stdout, new RegExp(`^${id}  http://127\\.0\\.0\\.1:9/hook  events: submission\\.graded,submission\\.error  enabled\\n$`));

  const rotated = gradebox(['webhooks', 'rotate', '--id', id!]);
  assert.match(rotated.last, /^whsec_/);
  assert.is.not(rotated.last, added.last);
  assert.match(rotated.stdout, /the previous secret signs beside this one until \d{4}-/);
  assert.match(gradebox(['webhooks', 'disable', '--id', id!]).stdout, /disabled since .* \(disabled by its owner\)/);
  assert.match(gradebox(['webhooks', 'enable', '--id', id!]).stdout, /  enabled\n$/);
  assert.equal(gradebox(['webhooks', 'deliveries', '--id', id!]), { status: 0, stdout: '', stderr: '', last: '' }, 'nothing sent yet');
  const redeliver = gradebox(['webhooks', 'redeliver', '--id', id!, '--message', `msg_${'A'.repeat(22)}`]);
  assert.equal([redeliver.status, /\[E_NOT_FOUND\]/.test(redeliver.stderr)], [2, true]);
  assert.match(gradebox(['webhooks', 'remove', '--id', id!]).stdout, /removed/);
  assert.is(gradebox(['webhooks', 'list', '--course', 'cs101']).stdout, '');
  assert.is(gradebox(['webhooks', 'remove', '--id', id!]).status, 2, 'gone');
});

test('inbound integrations: add prints where to send and the secret alone on the last line; list; remove', () => {
  const added = gradebox(['webhooks', 'inbound', 'add', '--course', 'cs101', '--label', 'Canvas']);
  assert.is(added.status, 0, added.stderr);
  assert.match(added.last, /^whsec_/);
  const id = /^(whi_[A-Za-z0-9_-]{16}) /.exec(added.stdout)?.[1];
  assert.ok(id);
  assert.match(added.stdout, new RegExp(`POST /v1/webhooks/inbound/${id}`));
  assert.match(gradebox(['webhooks', 'inbound', 'list', '--course', 'cs101']).stdout, new RegExp(`^${id} .*Canvas`));
  assert.is(gradebox(['webhooks', 'inbound', 'remove', '--id', id!]).status, 0);
  assert.is(gradebox(['webhooks', 'inbound', 'list', '--course', 'cs101']).stdout, '');
});

test.run();
