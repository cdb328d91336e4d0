// What a sandboxed program can see and touch: only its own world, never the host's.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { canonicalEnvironment } from '../../services/sandbox/environment.js';
import { folderWith, removeTempDirs, run, sh } from '../support/helpers.js';

test.after(removeTempDirs);

test('host files outside the read-only layers are invisible', async () => {
  const r = await sh('for p in /root /home /var /srv /opt /mnt /work /sys /etc/shadow /etc/ssh /run; do [ -e $p ] && echo "visible: $p"; done; ls /');
  assert.is(r.status, 'ok');
  assert.not.match(r.stdout, /visible/);
  assert.equal(r.stdout.trim().split('\n').sort(), ['bin', 'box', 'dev', 'etc', 'lib', 'lib64', 'proc', 'sbin', 'tmp', 'usr'].filter((n) => n !== 'lib64' || existsSync('/lib64')).sort());
});

test('writes to /usr, /etc and / fail and never reach the host', async () => {
  const r = await sh('touch /usr/gradebox-probe; touch /etc/gradebox-probe; mkdir /gradebox-probe; echo x > /etc/passwd; echo end');
  assert.match(r.stdout, /end/);
  assert.is(r.stderr.trim().split('\n').length, 4, r.stderr);
  assert.not.ok(existsSync('/usr/gradebox-probe'));
  assert.not.ok(existsSync('/etc/gradebox-probe'));
  assert.not.ok(existsSync('/gradebox-probe'));
});

test('/box is a private copy: writes there do not reach the host folder', async () => {
  const dir = folderWith({ 'given.txt': 'from host\n' });
  const r = await sh('cat given.txt; echo changed > given.txt; echo new > new.txt; rm given.txt; pwd', {}, { dir });
  assert.is(r.status, 'ok', r.stderr);
  assert.is(r.stdout, 'from host\n/box\n');
  assert.equal(readdirSync(dir), ['given.txt']);
});

test('/box is size-capped: filling it cannot fill the host disk', async () => {
  const r = await sh('head -c 200000000 /dev/zero > /box/fill && echo filled', { memoryMb: 64 });
  assert.not.match(r.stdout, /filled/);
  assert.ok(r.status === 'memory_limit' || /No space left/.test(r.stderr), `${r.status}: ${r.stderr}`);
});

test('the host loopback is unreachable', async () => {
  const server: Server = createServer((s) => s.end('host secret'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  try {
    const r = await run(['/usr/bin/python3', '-c', `import socket\ntry:\n  s = socket.create_connection(("127.0.0.1", ${port}), timeout=2); print("connected", s.recv(100))\nexcept OSError as e: print("refused", e.errno)`]);
    assert.is(r.status, 'ok', r.stderr);
    assert.match(r.stdout, /^refused 111/);
  } finally {
    server.close();
  }
});

test('the sandbox has its own working loopback', async () => {
  const r = await run(['/usr/bin/python3', '-c', 'import socket\ns = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()\nc = socket.create_connection(s.getsockname()); a, _ = s.accept(); a.send(b"hi"); print(c.recv(2).decode())']);
  assert.is(r.stdout, 'hi\n', r.stderr);
});

test('host abstract unix sockets are unreachable', async () => {
  const name = `gradebox-test-${process.pid}`;
  const server: Server = createServer((s) => s.end('host secret'));
  await new Promise<void>((resolve) => server.listen(`\0${name}`, resolve));
  try {
    const r = await run(['/usr/bin/python3', '-c', `import socket\ns = socket.socket(socket.AF_UNIX)\ntry:\n  s.connect("\\0${name}"); print("connected")\nexcept OSError as e: print("refused", e.errno)`]);
    assert.match(r.stdout, /^refused 111/, r.stdout + r.stderr);
  } finally {
    server.close();
  }
});

test('/proc shows only the sandbox', async () => {
  const r = await sh('ls /proc | grep -E "^[0-9]+$" | tr "\\n" " "; echo; cat /proc/1/cmdline | tr "\\0" " "');
  assert.is(r.status, 'ok', r.stderr);
  const pids = r.stdout.split('\n')[0]!.trim().split(' ').map(Number);
  assert.ok(pids.includes(1) && pids.every((p) => p < 20), `pids ${pids.join(',')}`);
  assert.not.match(r.stdout, /node|systemd|redis/);
});

test('every capability set is empty and no_new_privs is set, for the program and for init', async () => {
  const r = await sh('grep -E "^(Cap|NoNewPrivs)" /proc/self/status; grep -E "^(CapEff|CapPrm|CapBnd|CapAmb|NoNewPrivs)" /proc/1/status');
  const lines = r.stdout.trim().split('\n');
  for (const set of ['CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb']) {
    assert.ok(lines.includes(`${set}:\t0000000000000000`), `${set} not zero:\n${r.stdout}`);
  }
  assert.is(lines.filter((l) => l === 'NoNewPrivs:\t1').length, 2, r.stdout);
  assert.is(lines.filter((l) => /^Cap(Eff|Prm|Bnd|Amb):\t0{16}$/.test(l)).length, 8, r.stdout);
});

test('the program runs as an unprivileged user whose host ids are a range of its own', async () => {
  const script = 'id -u; id -g; cat /proc/self/uid_map; sleep 0.3';
  const [a, b] = await Promise.all([sh(script), sh(script)]);
  const parse = (out: string) => {
    const [uid, gid, map] = out.trim().split('\n');
    const [inside, host, count] = map!.trim().split(/\s+/).map(Number);
    return { uid, gid, inside, host: host!, count };
  };
  const pa = parse(a.stdout);
  const pb = parse(b.stdout);
  assert.is(pa.uid, '1000');
  assert.is(pa.gid, '1000');
  assert.is(pa.inside, 0);
  assert.ok(pa.host >= 0x40000000, `host base ${pa.host}`);
  assert.is.not(pa.host, pb.host, 'two sandboxes at once share no host uid');
  assert.ok(Math.abs(pa.host - pb.host) >= (pa.count ?? 0), 'ranges do not overlap');
});

test('no host environment variable leaks in', async () => {
  process.env.GRADEBOX_LEAK_CANARY = 'should-not-be-seen';
  const r = await run(['/usr/bin/env']);
  const names = r.stdout.trim().split('\n').map((l) => l.split('=')[0]).sort();
  assert.equal(names, Object.keys(canonicalEnvironment()).sort());
  assert.match(r.stdout, /^LANG=C\.UTF-8$/m);
  assert.match(r.stdout, /^TZ=UTC$/m);
});

test('no file descriptor beyond 0-2 leaks in', async () => {
  const r = await run(['/usr/bin/python3', '-c', 'import os\nopen_fds = []\nfor fd in range(3, 4096):\n  try: os.fstat(fd); open_fds.append(fd)\n  except OSError: pass\nprint(open_fds)']);
  assert.is(r.stdout, '[]\n', r.stderr);
});

test('no controlling terminal and a session of its own', async () => {
  const r = await run(['/usr/bin/python3', '-c', 'import os\nprint(os.getsid(0) == os.getpid())\ntry:\n  open("/dev/tty"); print("tty")\nexcept OSError: print("no tty")']);
  assert.is(r.stdout, 'True\nno tty\n', r.stderr);
});

test('nothing written in one run is visible in the next', async () => {
  const dir = folderWith({ 'keep.txt': 'x' });
  const first = await sh('echo secret > /tmp/left; echo secret > /box/left; echo secret > /dev/shm/left', {}, { dir });
  assert.is(first.status, 'ok', first.stderr);
  const second = await sh('ls /tmp /box /dev/shm', {}, { dir });
  assert.not.match(second.stdout, /left/);
  assert.match(second.stdout, /keep\.txt/);
});

test('symlinks in the submission stay links inside the sandbox and lead nowhere on the host', async () => {
  const dir = folderWith({ 'a.txt': 'a' });
  const { symlinkSync } = await import('node:fs');
  symlinkSync('/etc/shadow', join(dir, 'shadow'));
  writeFileSync(join(dir, 'b.txt'), 'b');
  const r = await sh('ls -l /box | grep shadow; cat /box/shadow 2>&1; cat /box/b.txt', {}, { dir });
  assert.match(r.stdout, /shadow -> \/etc\/shadow/);
  assert.match(r.stdout, /No such file/);
  assert.match(r.stdout, /b$/);
});

test.run();
