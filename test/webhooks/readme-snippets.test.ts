// The README's "Receive results by webhook" shows receivers how to verify a delivery in Node.js and
// in Python: both snippets, taken from the README as printed, run here (node and python3) against
// headers gradebox's signer makes — with one secret and with two during a rotation — and must
// refuse a changed body, another secret, a stale or future timestamp and a missing header.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { fromPackageRoot } from '../../services/common/package-root.js';
import { newWebhookSecret } from '../../services/protocol/webhook-secret.js';
import { signedHeaders } from '../../services/webhooks/signature.js';
import { removeTempDirs, tempDir } from '../support/helpers.js';

test.after(removeTempDirs);

/** The fenced code block in `language` of the README's webhook section. */
function snippet(language: 'js' | 'python'): string {
  const readme = readFileSync(fromPackageRoot('README.md'), 'utf8');
  const section = readme.split('\n## Receive results by webhook\n')[1]?.split('\n## ')[0] ?? '';
  const blocks = [...section.matchAll(new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``, 'g'))].map((m) => m[1]!);
  assert.is(blocks.length, 1, `one ${language} block in the README's webhook section`);
  return blocks[0]!;
}

interface Case { name: string; secret: string; headers: Record<string, string>; body: string }

const current = newWebhookSecret();
const previous = newWebhookSecret();
const body = JSON.stringify({ type: 'submission.graded', timestamp: new Date().toISOString(), data: { id: 'sub_1', verdict: 'AC', score: 3, max_score: 3 } });
const now = Math.floor(Date.now() / 1000);
const sign = (secrets: string[], at = now, signedBody = body) => ({ ...signedHeaders(secrets, 'msg_readme', at, Buffer.from(signedBody)) });

const CASES: Case[] = [
  { name: 'one secret', secret: current, headers: sign([current]), body },
  { name: 'rotation, the new secret', secret: current, headers: sign([current, previous]), body },
  { name: 'rotation, the old secret', secret: previous, headers: sign([current, previous]), body },
  { name: 'changed body', secret: current, headers: sign([current]), body: body.replace('"score":3', '"score":2') },
  { name: 'another secret', secret: newWebhookSecret(), headers: sign([current]), body },
  { name: 'ten minutes old', secret: current, headers: sign([current], now - 600), body },
  { name: 'ten minutes ahead', secret: current, headers: sign([current], now + 600), body },
  { name: 'timestamp not a number', secret: current, headers: { ...sign([current]), 'webhook-timestamp': 'soon' }, body },
  { name: 'no signature', secret: current, headers: { 'webhook-id': 'msg_readme', 'webhook-timestamp': String(now) }, body },
];
const EXPECTED = CASES.map((c, i) => `${c.name}: ${i < 3 ? 'submission.graded' : 'refused'}`);

/** Runs a verifier program that reads the cases on stdin and prints one line per case. */
function run(command: string, file: string): string[] {
  const result = spawnSync(command, [file], { input: JSON.stringify(CASES), encoding: 'utf8', timeout: 20_000 });
  assert.is(result.status, 0, result.stderr);
  return result.stdout.trimEnd().split('\n');
}

test('the Node.js snippet accepts what gradebox signs and refuses the rest', () => {
  const dir = tempDir('gradebox-readme-js-');
  writeFileSync(join(dir, 'verify.mjs'), snippet('js'));
  writeFileSync(join(dir, 'driver.mjs'), `import { readFileSync } from 'node:fs';
import { verifyWebhook } from './verify.mjs';
for (const c of JSON.parse(readFileSync(0, 'utf8'))) {
  let outcome;
  try { outcome = verifyWebhook(c.secret, c.headers, Buffer.from(c.body)).type; } catch { outcome = 'refused'; }
  console.log(c.name + ': ' + outcome);
}
`);
  assert.equal(run(process.execPath, join(dir, 'driver.mjs')), EXPECTED);
});

test('the Python snippet accepts what gradebox signs and refuses the rest', () => {
  const dir = tempDir('gradebox-readme-py-');
  writeFileSync(join(dir, 'driver.py'), `${snippet('python')}
import sys
for c in json.load(sys.stdin):
    try:
        outcome = verify_webhook(c["secret"], c["headers"], c["body"].encode())["type"]
    except ValueError:
        outcome = "refused"
    print(c["name"] + ": " + outcome)
`);
  assert.equal(run('python3', join(dir, 'driver.py')), EXPECTED);
});

test.run();
