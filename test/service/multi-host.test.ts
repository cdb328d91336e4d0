// Several hosts, simulated with network namespaces joined by veth pairs (test/support/netns-hosts.ts):
// a core host with PostgreSQL, Redis (TCP, a password) and two API replicas on one database; two
// worker hosts, each with its own link to the core. A burst of submissions is spread over both
// workers; mid-burst one API replica is killed (the client, as a load balancer would, sends its
// uploads to the other with the same Idempotency-Key) and one worker host's link is cut while it
// grades. An event stream on the replica the workers do not report to sees their results. Every submission ends graded exactly once, none is lost, the survivors carry on, and the
// throughput with one and with two worker hosts is printed. GRADEBOX_MULTIHOST_BURST sizes the
// burst (default 300; the programs are tiny Python ones, so the machine's two cores suffice).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { config } from '../../services/common/config.js';
import { fromPackageRoot } from '../../services/common/package-root.js';
import { lookUpServiceUser } from '../../services/account/service-user.js';
import { alive, CLI } from '../../services/bench/local-service.js';
import { uploadSubmission } from '../../services/bench/portal-client.js';
import { postgresBinDir, startPrivatePostgres, type PrivatePostgres } from '../../services/bench/private-postgres.js';
import { removeCgroupParents, sandboxCount } from '../support/cgroups.js';
import { removeTempDirs, tempDir } from '../support/helpers.js';
import { NetHosts, type NetHost } from '../support/netns-hosts.js';
import { until } from '../support/queue-fixtures.js';

const BURST = Number(process.env.GRADEBOX_MULTIHOST_BURST ?? 300);
const ONE_HOST_BURST = 20;
const API_PORTS = [8081, 8082];
const REDIS_PASSWORD = 'multi-host-test-password-0123456789';
const PROGRAM = { 'main.py': readFileSync(fromPackageRoot('graders', 'mean-python', 'submissions', 'accepted.py')) };

interface Running { name: string; child: ChildProcess; output: () => string }
const running: Running[] = [];

/** Runs a command in a host's network namespace only (nsenter --net: unlike `ip netns exec`, the mounts stay the machine's, /sys/fs/cgroup with them). */
function runIn(host: NetHost, name: string, args: string[], env: NodeJS.ProcessEnv = {}): Running {
  const child = spawn('nsenter', [`--net=${host.netns}`, '--', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => { output += c; });
  child.stderr!.on('data', (c: Buffer) => { output += c; });
  const entry = { name, child, output: () => output };
  running.push(entry);
  return entry;
}

async function end(entry: Running, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  const { child } = entry;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}

test('multi-host: two API replicas, two worker hosts; a replica killed and a worker host cut off mid-burst; every submission graded once', async () => {
  if (postgresBinDir() === null) {
    console.log('  skipped: PostgreSQL is not installed (infra/install.sh installs it)');
    return;
  }
  const user = lookUpServiceUser(config().serviceUser);
  const hosts = new NetHosts(`g${process.pid % 10000}`, 200 + (process.pid % 50));
  let postgres: PrivatePostgres | null = null;
  let db: pg.Client | null = null;
  const cgroupNames = [`${config().cgroupName}-w1`, `${config().cgroupName}-w2`];
  try {
    const [w1, w2] = [hosts.addHost('w1', 1), hosts.addHost('w2', 2)];
    const { core } = hosts;
    postgres = await startPrivatePostgres(user);
    const databaseUrl = await postgres.createDatabase();
    db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();

    const redisDir = tempDir();
    chownSync(redisDir, user.uid, user.gid);
    const redis = runIn(core, 'redis', ['/usr/bin/setpriv', '--pdeathsig', 'TERM', `--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--',
      'redis-server', '--port', '6379', '--bind', '0.0.0.0', '--requirepass', REDIS_PASSWORD, '--save', '', '--appendonly', 'no', '--dir', redisDir, '--maxmemory-policy', 'noeviction']);
    await until(() => redis.output().includes('Ready to accept connections'), 20_000, 'Redis');

    // Two replicas: one database, one Redis, one data folder (its blobs and worker token) between them.
    const parent = tempDir();
    chmodSync(parent, 0o755);
    const dataDir = join(parent, 'data');
    const apiEnv = { DATABASE_URL: databaseUrl, REDIS_URL: `redis://:${REDIS_PASSWORD}@127.0.0.1:6379` };
    const urls = API_PORTS.map((port) => `http://${hosts.coreFromHere}:${port}`);
    const ready = (url: string) => fetch(`${url}/readyz`).then((r) => r.ok, () => false);
    // The first one first: it sets the database up (the demo course and its key) and makes the worker token.
    const apis = [runIn(core, 'api1', [process.execPath, CLI, 'api', '--host', '0.0.0.0', '--port', String(API_PORTS[0]), '--data', dataDir, '--first-run'], apiEnv)];
    let key: string | undefined;
    await until(async () => (key ??= /makes more\):\n(\S+)\n/.exec(apis[0]!.output())?.[1]) !== undefined && ready(urls[0]!), 60_000, `API 1 ready:\n${apis[0]!.output()}`);
    apis.push(runIn(core, 'api2', [process.execPath, CLI, 'api', '--host', '0.0.0.0', '--port', String(API_PORTS[1]), '--data', dataDir], apiEnv));
    await until(() => ready(urls[1]!), 60_000, 'API 2 ready');

    // A worker host gets its token the documented way.
    const made = spawnSync(process.execPath, [CLI, 'workers', 'token', 'create', '--data', dataDir], { encoding: 'utf8' });
    assert.is(made.status, 0, made.stderr);
    const tokenFile = join(tempDir(), 'worker-token');
    writeFileSync(tokenFile, `${made.stdout.trimEnd().split('\n').pop()}\n`, { mode: 0o600 });

    const startWorker = (host: NetHost, role: string, cgroupName: string) => runIn(host, role, [process.execPath, CLI, 'worker', '--api', `http://${host.coreAddress}:${API_PORTS[0]}`,
      '--token-file', tokenFile, '--concurrency', '1', '--lock-ms', '4000', '--stalled-ms', '2000'], {
      REDIS_URL: `redis://:${REDIS_PASSWORD}@${host.coreAddress}:6379`, GRADEBOX_CGROUP_NAME: cgroupName,
      GRADEBOX_RUN_DIR: join(config().runDir, role), GRADEBOX_STATE_DIR: tempDir(),
    });

    let sent = 0;
    /** Uploads through the replicas in turn; one that does not answer is skipped for the next, with the same Idempotency-Key. */
    const upload = async (student: string): Promise<string> => {
      sent += 1;
      for (let tries = 0; ; tries += 1) {
        const url = urls[(sent + tries) % urls.length]!;
        try {
          const answer = await uploadSubmission({ url, key: key! }, { assignment: 'mean-python', student }, PROGRAM, { 'idempotency-key': student });
          if (answer.status === 202) return answer.body.id as string;
        } catch {
          // this replica is gone: the next one
        }
        if (tries > 50) throw new Error(`no replica took the upload of ${student}`);
      }
    };
    const gradedCount = async (ids: string[]) => Number((await db!.query("SELECT COUNT(*) AS n FROM submissions WHERE id = ANY($1) AND status = 'graded'", [ids])).rows[0].n);
    /** Gradings per second while the count of `ids` graded goes from `from` to `to` (a window past the cold start, with a queue waiting). */
    const rate = async (ids: () => string[], from: number, to: number): Promise<number> => {
      await until(async () => (await gradedCount(ids())) >= from, 600_000, `${from} graded`);
      const [start, startedAt] = [await gradedCount(ids()), Date.now()];
      await until(async () => (await gradedCount(ids())) >= to, 600_000, `${to} graded`);
      return ((await gradedCount(ids())) - start) / ((Date.now() - startedAt) / 1000);
    };

    // One worker host.
    const worker1 = startWorker(w1, 'w1', cgroupNames[0]!);
    const first: string[] = [];
    for (let i = 0; i < ONE_HOST_BURST; i += 1) first.push(await upload(`one-${i}`));
    // Events on any replica: the workers report to API 1, a stream on API 2 sees the outcome (through the store).
    const streamOnReplica = fetch(`${urls[1]}/v1/submissions/${first[0]}/events`, { headers: { authorization: `Bearer ${key}` } }).then((r) => r.text());
    const oneHostRate = await rate(() => first, 2, ONE_HOST_BURST);
    assert.is([...(await streamOnReplica).matchAll(/^event: graded$/gm)].length, 1, 'API 2\'s stream got the graded event API 1 stored');

    // Two worker hosts, the burst; API 2 killed halfway through the uploads.
    const worker2 = startWorker(w2, 'w2', cgroupNames[1]!);
    const burst: string[] = [];
    // Uploaded eight at a time (a class at a deadline), so the queue, not the uploads, sets the pace.
    let next = 0;
    const uploader = async (): Promise<void> => {
      while (next < BURST) {
        const i = next++;
        if (i === Math.floor(BURST / 2)) await end(apis[1]!, 'SIGKILL');
        burst.push(await upload(`burst-${i}`));
      }
    };
    const uploads = Promise.all(Array.from({ length: 8 }, uploader));
    const beforeCut = Math.min(BURST, Math.max(20, Math.floor(BURST / 3)));
    const twoHostRate = await rate(() => burst, 10, beforeCut);
    await uploads;
    assert.is(apis[1]!.child.signalCode, 'SIGKILL', 'API 2 was killed mid-burst');

    // Cut worker host 1 off while it grades.
    await until(() => sandboxCount(cgroupNames[0]) > 0, 60_000, 'worker host 1 grading');
    hosts.cut(w1);
    const cutAt = await gradedCount(burst);
    await until(async () => (await gradedCount(burst)) === BURST, 900_000, 'the whole burst graded by the survivors');
    assert.ok(cutAt < BURST, 'the cut came before the burst was through');
    assert.ok(alive(worker2.child.pid!) && alive(apis[0]!.child.pid!), 'the survivors still run');

    const all = [...first, ...burst];
    assert.is(new Set(all).size, ONE_HOST_BURST + BURST, 'one submission per upload, retried ones included');
    assert.is(Number((await db.query('SELECT COUNT(*) AS n FROM submissions')).rows[0].n), ONE_HOST_BURST + BURST, 'nothing more stored');
    const verdicts = await db.query("SELECT verdict, COUNT(*) AS n FROM results WHERE outcome = 'graded' GROUP BY verdict");
    assert.equal(verdicts.rows.map((r) => [r.verdict, Number(r.n)]), [['AC', ONE_HOST_BURST + BURST]]);
    const graded = await db.query("SELECT submission_id, COUNT(*) AS n FROM events WHERE type = 'graded' GROUP BY submission_id HAVING COUNT(*) <> 1");
    assert.equal(graded.rows, [], 'one graded event per submission');
    const byWorker = await db.query('SELECT worker_id, COUNT(*) AS n FROM attempts WHERE submission_id = ANY($1) GROUP BY worker_id', [burst]);
    const hostsThatGraded = byWorker.rows.map((r) => Number(String(r.worker_id).split(':').pop()));
    assert.ok(hostsThatGraded.includes(worker1.child.pid!) && hostsThatGraded.includes(worker2.child.pid!), `the burst was spread over both worker hosts: ${JSON.stringify(byWorker.rows)}`);
    console.log(`  multi-host: ${(oneHostRate).toFixed(2)} submissions/s with one worker host (${ONE_HOST_BURST}), ${twoHostRate.toFixed(2)} with two (${BURST} in the burst); ${BURST - cutAt} graded after the cut`);
  } finally {
    for (const entry of running.splice(0).reverse()) await end(entry, entry.name === 'w1' ? 'SIGKILL' : 'SIGTERM');
    await db?.end();
    await postgres?.stop();
    hosts.remove();
    for (const role of ['w1', 'w2']) rmSync(join(config().runDir, role), { recursive: true, force: true });
    for (const name of cgroupNames) {
      try { removeCgroupParents(name); } catch { /* never made */ }
    }
    removeTempDirs();
  }
});

test.run();
