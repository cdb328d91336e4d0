// The commands that manage courses, keys and accounts: a course is made only by `courses add` (a
// typo in `keys create` names the courses there are), keys get a scope and an expiry, `users add`
// prints a generated password alone on its last line (or takes one from stdin), each command says
// on stderr which store it opened, what they change goes into the staff audit trail that
// `audit verify --staff` checks, and every command answers --help.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { verifyPassword } from '../../services/access/password-hash.js';
import { fromPackageRoot } from '../../services/common/package-root.js';
import { openStore } from '../../services/store/open-store.js';
import { removeTempDirs, tempDir } from '../support/helpers.js';

const CLI = fromPackageRoot('dist', 'services', 'cli', 'main.js');
const data = tempDir('gradebox-cli-staff-');

function gradebox(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [CLI, ...args, ...(['--help'].includes(args.at(-1)!) ? [] : ['--data', data])], { encoding: 'utf8', input });
  return { code: r.status, out: r.stdout, err: r.stderr, last: r.stdout.trim().split('\n').pop()! };
}

test.after(() => removeTempDirs());

test('a key for a course that does not exist is refused, naming the courses; courses add makes it', () => {
  assert.is(gradebox(['courses', 'add', 'cs101', '--name', 'Intro to CS']).code, 0);
  const typo = gradebox(['keys', 'create', '--course', 'cs011']);
  assert.is(typo.code, 2);
  assert.match(typo.err, 'course "cs011" does not exist');
  assert.match(typo.err, 'cs101');
  assert.is(gradebox(['courses', 'add', 'cs101']).code, 2, 'added twice');
  assert.match(gradebox(['courses', 'list']).out, 'cs101  Intro to CS');
  assert.match(typo.err, `gradebox: store ${join(data, 'gradebox.sqlite')}`, 'says which store it opened');
});

test('keys create takes a scope and an expiry; the secret is alone on the last line and says how to revoke it', async () => {
  const made = gradebox(['keys', 'create', '--course', 'cs101', '--scope', 'staff', '--expires', '30']);
  assert.is(made.code, 0, made.err);
  assert.match(made.last, /^gbx_cs101_\S+$/);
  assert.match(made.out, /revoke it with gradebox keys revoke --id key_/);
  assert.is(gradebox(['keys', 'create', '--course', 'cs101', '--scope', 'root']).code, 2);
  assert.is(gradebox(['keys', 'create', '--course', 'cs101', '--expires', '0']).code, 2);
  const store = await openStore(data);
  try {
    const key = (await store.authenticateKey(made.last))!;
    assert.is(key.scope, 'staff');
    const expires = Date.parse((await store.getApiKey(key.keyId))!.expiresAt!);
    assert.ok(Math.abs(expires - (Date.now() + 30 * 86_400_000)) < 60_000, 'in 30 days');
  } finally {
    await store.close();
  }
});

test('users add prints a generated password alone on its last line, or takes one from stdin; roles need their course', async () => {
  const admin = gradebox(['users', 'add', '--email', 'Admin@Example.org', '--role', 'admin']);
  assert.is(admin.code, 0, admin.err);
  assert.match(admin.last, /^[A-Za-z0-9]{21}$/);
  const ta = gradebox(['users', 'add', '--email', 'ta@example.org', '--role', 'ta', '--course', 'cs101', '--password-stdin'], 'a long enough passphrase\n');
  assert.is(ta.code, 0, ta.err);
  assert.not.match(ta.out, 'passphrase');
  assert.is(gradebox(['users', 'add', '--email', 'x@example.org', '--role', 'ta']).code, 2, 'a TA of no course');
  assert.is(gradebox(['users', 'add', '--email', 'y@example.org', '--role', 'ta', '--course', 'nope']).code, 2, 'a course that does not exist');
  assert.is(gradebox(['users', 'add', '--email', 'z@example.org', '--role', 'admin', '--password-stdin'], 'short\n').code, 2, 'too short');
  assert.match(gradebox(['users', 'list']).out, /ta@example\.org {2}ta of cs101/);
  const store = await openStore(data);
  try {
    const signIn = (await store.findUserForSignIn('admin@example.org'))!;
    assert.ok(signIn.user.admin);
    assert.ok(await verifyPassword(admin.last, signIn.passwordHash!));
    assert.ok(await verifyPassword('a long enough passphrase', (await store.findUserForSignIn('ta@example.org'))!.passwordHash!));
  } finally {
    await store.close();
  }
});

test('what the commands changed is in the staff audit trail, and audit verify --staff checks its chain', () => {
  const verified = gradebox(['audit', 'verify', '--staff']);
  assert.is(verified.code, 0, verified.err);
  assert.match(verified.out, /^ok: [4-9] lines/);
  const tail = gradebox(['audit', 'tail', '--staff', '-n', '100']).out;
  for (const type of ['staff.course.created', 'staff.key.created', 'staff.user.created', 'staff.role.granted']) assert.match(tail, `"type":"${type}"`);
  assert.not.match(tail, 'gbx_cs101_', 'no secret in the trail');
});

test('every command answers --help with its usage and exit status 0', () => {
  const commands = ['start', 'api', 'worker', 'courses', 'users', 'keys', 'assignments', 'submissions', 'import', 'audit', 'bench', 'grade', 'health', 'policy', 'reproduce', 'run'];
  const listed = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' }).stdout;
  for (const command of commands) {
    assert.match(listed, `gradebox ${command} `);
    const help = gradebox([command, '--help']);
    assert.is(help.code, 0, `${command} --help: ${help.err}`);
    assert.match(help.out, `gradebox ${command}`, command);
  }
});

test.run();
