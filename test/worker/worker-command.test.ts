// `gradebox worker` flags: each mistake is a usage error that names the flag and the fix.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, linkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { workerCommand } from '../../services/cli/worker-command.js';
import { UsageError } from '../../services/common/errors.js';
import { lookUpServiceUser } from '../../services/account/service-user.js';
import { CpuSlots, parseCpuList } from '../../services/worker/cpu-slots.js';
import { callCommand, rejectionOf, removeTempDirs, tempDir } from '../support/helpers.js';

test.after(removeTempDirs);

test('--help lists every flag', async () => {
  const { code, out } = await callCommand(workerCommand, ['--help']);
  assert.is(code, 0);
  for (const flag of ['--redis', '--api', '--token-file', '--concurrency', '--prefetch', '--cpus', '--grace-ms', 'SIGTERM']) assert.ok(out.includes(flag), flag);
});

test('usage mistakes name the flag and the fix', async () => {
  const token = join(tempDir(), 'token');
  writeFileSync(token, 'secret\n');
  const empty = join(tempDir(), 'empty');
  writeFileSync(empty, '\n');
  const api = ['--api', 'http://api:8080'];
  for (const [argv, message] of [
    [['--token-file', token], /missing --api URL/],
    [['--api', 'api:8080', '--token-file', token], /--api api:8080: give an http/],
    [api, /missing --token-file FILE/],
    [[...api, '--token-file', '/nonexistent/token'], /--token-file \/nonexistent\/token: cannot read it \(ENOENT\)/],
    [[...api, '--token-file', empty], /expected one token on one line/],
    [[...api, '--token-file', token, '--cpus', '0-x'], /--cpus "0-x": "0-x" is not a CPU number or range; write it like 0-3,6/],
    [[...api, '--token-file', token, '--concurrency', '0'], /--concurrency must be 1 or more/],
    [[...api, '--token-file', token, '--prefetch=-1'], /--prefetch must be 0 or more, got -1/],
    [[...api, '--token-file', token, '--lock-ms', 'soon'], /--lock-ms needs a whole number/],
    [[...api, '--token-file', token, '--bogus'], /bogus/],
  ] as const) {
    const error = await rejectionOf(workerCommand([...argv], () => {}), argv.join(' '));
    assert.instance(error, UsageError, argv.join(' '));
    assert.match((error as Error).message, message);
  }
});

test('a token file root must not read is refused before anything starts, and its content shown nowhere: a link, a second name, another account\'s, writable by others, a FIFO, too big', async () => {
  const dir = tempDir();
  const secret = join(dir, 'root-secret');
  writeFileSync(secret, 'root-only-secret\n', { mode: 0o600 });
  const nobody = lookUpServiceUser('nobody');
  const files: Record<string, [() => void, RegExp]> = {
    link: [() => symlinkSync(secret, join(dir, 'link')), /is a symbolic link; give the file itself/],
    'hard-link': [() => linkSync(secret, join(dir, 'hard-link')), /has 2 names \(hard links\)/],
    others: [() => { writeFileSync(join(dir, 'others'), 'token\n'); chownSync(join(dir, 'others'), nobody.uid, nobody.gid); }, new RegExp(`belongs to uid ${nobody.uid}, not to root or the service account`)],
    writable: [() => { writeFileSync(join(dir, 'writable'), 'token\n'); chmodSync(join(dir, 'writable'), 0o666); }, /group or others may write it \(mode 666\)/],
    fifo: [() => execFileSync('mkfifo', [join(dir, 'fifo')]), /is not a regular file/],
    big: [() => writeFileSync(join(dir, 'big'), 'x'.repeat(5000)), /is 5000 bytes, more than the 4096 expected/],
  };
  for (const [name, [make, message]] of Object.entries(files)) {
    make();
    const error = await rejectionOf(workerCommand(['--api', 'http://api:8080', '--token-file', join(dir, name)], () => {}), name);
    assert.instance(error, UsageError, name);
    assert.match((error as Error).message, message, name);
    assert.not.match((error as Error).message, /root-only-secret/, `${name}: the content stays unread`);
  }
});

test('CPU lists and slots', async () => {
  assert.equal(parseCpuList('0-3,6'), ['0', '1', '2', '3', '6']);
  assert.equal(parseCpuList('3,1,1'), ['1', '3']);
  assert.throws(() => parseCpuList('3-1'), /runs backwards; write 1-3/);
  const slots = new CpuSlots(['0', '1'], 3); // more jobs than CPUs: slots share them round-robin
  const taken = [await slots.acquire(), await slots.acquire(), await slots.acquire()];
  assert.equal(taken, ['0', '1', '0']);
  // Every slot taken: the next jobs wait, first come first served; one that gives up waiting leaves the line.
  const order: string[] = [];
  const first = slots.acquire().then((cpu) => order.push(`first:${cpu}`));
  const quitter = new AbortController();
  const quitting = slots.acquire(quitter.signal).then(() => 'acquired', (error: Error) => error.message);
  const second = slots.acquire().then((cpu) => order.push(`second:${cpu}`));
  quitter.abort(new Error('handed back'));
  assert.is(await quitting, 'handed back');
  assert.equal(order, [], 'nobody got a slot before one was released');
  slots.release('1');
  slots.release('0');
  await Promise.all([first, second]);
  assert.equal(order, ['first:1', 'second:0']);
  // use() gives the slot back even when the work fails.
  slots.release('0');
  await slots.use(async () => { throw new Error('the grading failed'); }).catch(() => {});
  assert.is(await slots.acquire(), '0');
});

test.run();
