// gradebox lti, as an operator scripts it: platforms add (registration, a second deployment, the
// values the LMS admin enters), platforms list, contexts link, keys rotate (the previous key stays
// published), passbacks; and the mistakes it names. Each command is a process of its own, dropping
// to the service account.
import { spawnSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { CLI } from '../../services/bench/local-service.js';
import { ToolKeys } from '../../services/lti/tool-keys.js';
import { openStore } from '../../services/store/open-store.js';
import { removeTempDirs, tempDir } from '../support/helpers.js';

const parent = tempDir('gradebox-lticli-');
chmodSync(parent, 0o755); // the service account must reach the data folder inside
const data = join(parent, 'var');
const PUBLIC = { GRADEBOX_PUBLIC_URL: 'https://grades.example.edu' };
test.after(removeTempDirs);

function gradebox(args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [CLI, ...args, '--data', data], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 30_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const CANVAS = [
  '--issuer', 'https://canvas.instructure.com', '--client-id', '10000000000042', '--deployment-id', '7:abc',
  '--auth-url', 'https://sso.canvaslms.com/api/lti/authorize_redirect', '--token-url', 'https://sso.canvaslms.com/login/oauth2/token',
  '--jwks-url', 'https://sso.canvaslms.com/api/lti/security/jwks',
];

test('platforms add registers a platform and prints what the LMS admin enters; a second deployment adds to it', () => {
  const added = gradebox(['lti', 'platforms', 'add', ...CANVAS], PUBLIC);
  assert.is(added.status, 0, added.stderr);
  assert.match(added.stdout, 'platform https://canvas.instructure.com (client 10000000000042) registered, deployments 7:abc');
  assert.match(added.stdout, 'login (OIDC initiation) URL:  https://grades.example.edu/lti/login');
  assert.match(added.stdout, 'redirect (launch) URL:        https://grades.example.edu/lti/launch');
  assert.match(added.stdout, 'public JWK set URL:           https://grades.example.edu/.well-known/jwks.json');
  assert.match(added.stdout, 'https://purl.imsglobal.org/spec/lti-ags/scope/score');
  const second = gradebox(['lti', 'platforms', 'add', ...CANVAS.slice(0, 5), '8:def', ...CANVAS.slice(6)], PUBLIC);
  assert.is(second.status, 0, second.stderr);
  assert.match(gradebox(['lti', 'platforms', 'list']).stdout, /^https:\/\/canvas\.instructure\.com  client 10000000000042  deployments 7:abc,8:def  auth /);
});

test('the mistakes are named: a missing flag, a URL that is not one, an unknown issuer', () => {
  const missing = gradebox(['lti', 'platforms', 'add', ...CANVAS.slice(0, 6)]);
  assert.is(missing.status, 2);
  assert.match(missing.stderr, 'missing --auth-url');
  const badUrl = gradebox(['lti', 'platforms', 'add', ...CANVAS.slice(0, 7), 'canvas/authorize', ...CANVAS.slice(8)]);
  assert.is(badUrl.status, 2);
  assert.match(badUrl.stderr, /auth URL "canvas\/authorize" is not a URL.*\[E_BAD_INPUT\]/);
  const unknown = gradebox(['lti', 'contexts', 'link', '--issuer', 'https://moodle.example.edu', '--context-id', '12', '--course', 'cs101']);
  assert.is(unknown.status, 2);
  assert.match(unknown.stderr, 'gradebox lti platforms add first');
});

test('contexts link maps an LMS course onto a gradebox course', () => {
  assert.is(gradebox(['courses', 'add', 'cs101']).status, 0);
  const linked = gradebox(['lti', 'contexts', 'link', '--issuer', 'https://canvas.instructure.com', '--context-id', '4242', '--course', 'cs101']);
  assert.is(linked.status, 0, linked.stderr);
  assert.is(linked.stdout, 'LMS course 4242 of https://canvas.instructure.com → gradebox course cs101\n');
  const noCourse = gradebox(['lti', 'contexts', 'link', '--issuer', 'https://canvas.instructure.com', '--context-id', '4243', '--course', 'nope']);
  assert.is(noCourse.status, 2);
  assert.match(noCourse.stderr, '[E_NOT_FOUND]');
});

test('keys rotate: a new signing key; the one before stays published, the one before that is retired', async () => {
  const kids: string[] = [];
  for (let i = 0; i < 2; i += 1) {
    const rotated = gradebox(['lti', 'keys', 'rotate']);
    assert.is(rotated.status, 0, rotated.stderr);
    kids.push(/new signing key (gbx-[A-Za-z0-9_-]+)/.exec(rotated.stdout)![1]!);
  }
  const store = await openStore(data);
  try {
    const published = (await new ToolKeys(store, 2).jwks()).keys.map((k) => k.kid);
    assert.equal(published, [kids[1], kids[0]]);
    assert.is((await new ToolKeys(store, 2).signingKey()).kid, kids[1]);
  } finally {
    await store.close();
  }
  assert.is(gradebox(['lti', 'passbacks', '--course', 'cs101']).stdout, '', 'nothing passed back yet');
});

test.run();
