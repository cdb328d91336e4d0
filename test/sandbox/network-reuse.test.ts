// A supervisor keeps its sandboxes' network namespace from one sandbox to the next only while no
// sandbox changed anything in it (native/launcher/netns.c): making one per sandbox cost more CPU
// than the rest of its namespaces. These are the attacks on that reuse: whatever a program leaves
// in the network namespace (a connection in TIME_WAIT, counters moved, a listening socket kept
// alive in flight after every process is gone) must never reach the next sandbox.
import { spawn } from 'node:child_process';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { sandboxesClosed } from '../../services/sandbox/launcher.js';
import { resolveLimits } from '../../services/sandbox/limits.js';
import { prepareSandbox, runSandboxed, type RunResult } from '../../services/sandbox/sandbox.js';
import { removeTempDirs } from '../support/helpers.js';

test.after(removeTempDirs);

const limits = resolveLimits({ cpuset: '0' });

/** One sandbox, run and torn down before the next is prepared: the same idle supervisor serves them all. */
async function inTurn(argv: string[]): Promise<RunResult> {
  const sandbox = prepareSandbox(limits);
  const result = await runSandboxed({ argv, limits, prepared: sandbox });
  await sandbox.closed;
  assert.is(result.status, 'ok', result.stderr);
  return result;
}

const NAMESPACE = ['/bin/sh', '-c', 'readlink /proc/self/ns/net'];
/** The namespace, and what the next program could learn of its predecessor there. */
const LOOK_AROUND = ['/usr/bin/python3', '-c', `import os, socket
print(os.readlink('/proc/self/ns/net'))
tcp = open('/proc/net/snmp').read().split('Tcp:')[2].split()
print('active_opens', tcp[4])
print('tcp_sockets', len(open('/proc/net/tcp').read().splitlines()) - 1)
s = socket.socket(socket.AF_UNIX)
try:
  s.connect('\\0gradebox-left-behind'); print('reached the socket left behind')
except OSError as e: print('refused', e.errno)`];

async function namespaceNow(): Promise<string> {
  return (await inTurn(NAMESPACE)).stdout.trim();
}

test('sandboxes that do not touch the network share one namespace, one after the other', async () => {
  const first = await namespaceNow();
  assert.match(first, /^net:\[\d+\]$/);
  assert.is(await namespaceNow(), first, 'reused');
  assert.is(await namespaceNow(), first, 'and again');
});

test('a TCP connection over loopback (left in TIME_WAIT) sends the next sandbox to a new namespace that shows none of it', async () => {
  const before = await namespaceNow();
  const opened = await inTurn(['/usr/bin/python3', '-c', `import socket
s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()
c = socket.create_connection(s.getsockname()); a, _ = s.accept(); c.close(); a.close(); s.close()
print('connected')`]);
  assert.is(opened.stdout.trim(), 'connected');
  const next = (await inTurn(LOOK_AROUND)).stdout.trim().split('\n');
  assert.is.not(next[0], before, 'a new namespace');
  assert.equal(next.slice(1), ['active_opens 0', 'tcp_sockets 0', 'refused 111']);
});

test('a UDP datagram to loopback sends the next sandbox to a new namespace', async () => {
  const before = await namespaceNow();
  await inTurn(['/usr/bin/python3', '-c', `import socket
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x', ('127.0.0.1', 9))`]);
  assert.is.not(await namespaceNow(), before);
});

test('attack: a listening abstract socket kept alive in flight after its sandbox ended is not there for the next one', async () => {
  const before = await namespaceNow();
  // The listening socket is sent over a socket pair whose both ends are then in flight too: once
  // the program exits nothing but the kernel's garbage collector holds them, and the abstract name
  // stays bound until it runs.
  const left = await inTurn(['/usr/bin/python3', '-c', `import socket
listener = socket.socket(socket.AF_UNIX); listener.bind('\\0gradebox-left-behind'); listener.listen()
a, b = socket.socketpair()
socket.send_fds(a, [b'x'], [listener.fileno(), a.fileno(), b.fileno()])
print('left')`]);
  assert.is(left.stdout.trim(), 'left');
  // Whether the collector ran before the supervisor looked decides only which way the next
  // sandbox is safe: the namespace was clean, or it is a new one.
  const next = (await inTurn(LOOK_AROUND)).stdout.trim().split('\n');
  assert.is(next[3], 'refused 111', 'the name left behind is not reachable');
  if (next[0] === before) assert.equal(next.slice(1, 3), ['active_opens 0', 'tcp_sockets 0']);
});

test('attack: an IPv6 flow label left to linger after its socket closed is not there for the next one', async () => {
  // A flow label (IPV6_FLOWLABEL_MGR, no capability needed) outlives its socket for its linger
  // time, up to 150 s, in the namespace's own table: it sends no packet and counts as no socket,
  // yet the next program lists it in /proc/net/ip6_flowlabel, label and destination chosen by its
  // predecessor (a channel of 20 bits a label, 32 labels a socket).
  const left = await inTurn(['/usr/bin/python3', '-c', `import socket, struct
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
request = struct.pack('=16s4sBBHHHI', socket.inet_pton(socket.AF_INET6, '::1'), struct.pack('!I', 0x12345), 0, 255, 1, 150, 150, 0)
s.setsockopt(socket.IPPROTO_IPV6, 32, request)  # IPV6_FLOWLABEL_MGR: get, shared with anyone, create
print(open('/proc/net/ip6_flowlabel').read().splitlines()[1].split()[0])`]);
  assert.is(left.stdout.trim(), '12345', 'the label was made');
  const next = await inTurn(['/bin/cat', '/proc/net/ip6_flowlabel']);
  assert.is(next.stdout.trim().split('\n').length, 1, `only the header: ${next.stdout}`);
});

test('attack: multicast groups joined just before exit send nothing into the next sandbox', async () => {
  // IGMPv3 and MLDv2 send a membership report from a timer a few milliseconds after the join, and
  // after the leave (when the socket closes) again for a second or two: a program that joins and
  // exits at once leaves reports on their way that the check does not see, and that move the
  // counters of the next sandbox, in the namespace it kept, while it runs (how many reports, and
  // how long, says how many groups its predecessor joined).
  const left = await inTurn(['/usr/bin/python3', '-c', `import socket, struct
v4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for g in range(5):
  v4.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, struct.pack('=4s4si', socket.inet_aton('239.1.2.%d' % g), bytes(4), 1))
v6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
for g in range(5):
  v6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, socket.inet_pton(socket.AF_INET6, 'ff05::%d' % (g + 1)) + struct.pack('=I', 1))
print('joined')`]);
  assert.is(left.stdout.trim(), 'joined');
  const next = await inTurn(['/usr/bin/python3', '-c', `import time
time.sleep(3)
ip = [l for l in open('/proc/net/netstat').read().splitlines() if l.startswith('IpExt:')][1].split()[1:]
ipv6 = [l.split()[1] for l in open('/proc/net/snmp6').read().splitlines()]
print(sum(map(int, ip)), sum(map(int, ipv6)))`]);
  assert.is(next.stdout.trim(), '0 0', 'no packet reached the next sandbox');
});

/** Holds an exclusive IPv6 flow label in a network namespace of its own, outside any sandbox, until
 * stopped: the kernel's switch for exclusive labels (one for the whole host) stays on meanwhile. */
async function holdExclusiveFlowLabel(): Promise<() => void> {
  const holder = spawn('unshare', ['--net', '/usr/bin/python3', '-c', `import socket, struct, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, 32, struct.pack('=16s4sBBHHHI', socket.inet_pton(socket.AF_INET6, '::1'), struct.pack('!I', 0x777), 0, 1, 1, 0, 0, 0))
print('held', flush=True)
sys.stdin.read()`], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    holder.once('error', reject);
    holder.once('exit', (code) => reject(new Error(`the flow label holder exited (${code})`)));
    holder.stdout.once('data', () => resolve());
  });
  return () => holder.stdin.end();
}

test('attack: a request for an exclusive IPv6 flow label leaves nothing the next sandbox can tell', async () => {
  // Asking for an exclusive flow label (IPV6_FLOWLABEL_MGR, share IPV6_FL_S_EXCL) marks the
  // namespace for good, even when the request fails and no label is made: from then on, while any
  // exclusive label exists on the host (or for a second after one went), a datagram sent with a
  // label its socket does not hold is refused there. Nothing counts it, nothing lists it: one bit
  // for the next sandbox. Whatever it gets must not depend on what ran before it: a probe in a new
  // namespace (a datagram sent before it sends it to a new one) sees what every untouched
  // namespace shows. An exclusive label held outside keeps the host's switch on throughout, so
  // that the answer depends on the namespace's mark only.
  const release = await holdExclusiveFlowLabel();
  try {
    const PROBE = ['/usr/bin/python3', '-c', `import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, 33, 1)  # IPV6_FLOWINFO_SEND
try: s.sendto(b'x', ('::1', 9, 0x54321, 0)); print('sent')
except OSError as e: print('refused', e.errno)`];
    await inTurn(['/usr/bin/python3', '-c', `import socket
socket.socket(socket.AF_INET6, socket.SOCK_DGRAM).sendto(b'x', ('::1', 9))`]);
    const untouched = (await inTurn(PROBE)).stdout.trim();
    const asked = await inTurn(['/usr/bin/python3', '-c', `import socket, struct
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
request = struct.pack('=16s4sBBHHHI', socket.inet_pton(socket.AF_INET6, '::1'), struct.pack('!I', 0x12345), 0, 1, 0, 0, 0, 0)
try: s.setsockopt(socket.IPPROTO_IPV6, 32, request)  # get (no create), exclusive
except OSError as e: print('refused', e.errno)`]);
    assert.is(asked.stdout.trim(), 'refused 2', 'no label was made');
    assert.is((await inTurn(PROBE)).stdout.trim(), untouched);
  } finally {
    release();
  }
});

test('attack: a route looked up by a UDP connect over IPv6 is not there for the next one', async () => {
  // connect() on an IPv6 datagram socket sends nothing, but its route lookup leaves a per-CPU copy
  // of the route in the namespace for good, counted in /proc/net/rt6_stats: a bit (more with more
  // CPUs) for the next program, with no counter or socket changed.
  const ROUTES = ['/bin/cat', '/proc/net/rt6_stats'];
  await inTurn(['/usr/bin/python3', '-c', `import socket
socket.socket(socket.AF_INET6, socket.SOCK_DGRAM).sendto(b'x', ('::1', 9))`]);
  const untouched = (await inTurn(ROUTES)).stdout;
  await inTurn(['/usr/bin/python3', '-c', `import socket
socket.socket(socket.AF_INET6, socket.SOCK_DGRAM).connect(('::1', 9))`]);
  assert.is((await inTurn(ROUTES)).stdout, untouched);
});

test('every sandbox is gone at the end', async () => {
  await sandboxesClosed();
});

test.run();
