// The service with its store in PostgreSQL (DATABASE_URL): `gradebox start` grades through it, the
// CLI commands reach the same database (--database or DATABASE_URL), and a second API process on the
// same database and Redis is a replica: an upload to either is graded once and read from both.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { lookUpServiceUser } from '../../services/account/service-user.js';
import { CLI, freePort, startLocalService, type LocalService } from '../../services/bench/local-service.js';
import { uploadSubmission, waitUntilGraded } from '../../services/bench/portal-client.js';
import { postgresBinDir, startPrivatePostgres, type PrivatePostgres } from '../../services/bench/private-postgres.js';
import { config } from '../../services/common/config.js';
import { fromPackageRoot } from '../../services/common/package-root.js';

const installed = postgresBinDir() !== null;
let server: PrivatePostgres;
let databaseUrl: string;
let service: LocalService;
const SUM_C = fromPackageRoot('graders', 'sum-c', 'submissions');

test.before(async () => {
  if (!installed) return;
  server = await startPrivatePostgres(lookUpServiceUser(config().serviceUser));
  databaseUrl = await server.createDatabase();
  service = await startLocalService({ workers: 2, env: { DATABASE_URL: databaseUrl } });
});
test.after(async () => {
  await service?.stop();
  await server?.stop();
});

function pgTest(name: string, body: () => Promise<void>): void {
  test(name, async () => {
    if (!installed) {
      process.stdout.write(`skipped (PostgreSQL is not installed; infra/install.sh installs it): ${name}\n`);
      return;
    }
    await body();
  });
}

function cli(args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; out: string; err: string } {
  const run = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, DATABASE_URL: '', ...env } });
  return { status: run.status, out: run.stdout, err: run.stderr };
}

/** The stream's event types, with the `test` events of a grading that took a while checked to come between running and graded, then left out. */
function eventsInOrder(stream: string): string[] {
  const types = [...stream.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]!);
  const tests = types.flatMap((type, i) => (type === 'test' ? [i] : []));
  assert.ok(tests.every((i) => i > types.indexOf('running') && i < types.indexOf('graded')), types.join(' '));
  return types.filter((type) => type !== 'test');
}

pgTest('gradebox start on PostgreSQL grades: verdicts, a big file kept as a blob file, events in order; no SQLite file is made', async () => {
  const big = `${readFileSync(join(SUM_C, 'accepted.c'), 'utf8')}\n/*${'x'.repeat(300 * 1024)}*/\n`;
  const uploads = [
    { files: { 'main.c': readFileSync(join(SUM_C, 'accepted.c')) }, verdict: 'AC' },
    { files: { 'main.c': readFileSync(join(SUM_C, 'wrong.c')) }, verdict: 'WA' },
    { files: { 'main.c': big }, verdict: 'AC' },
  ];
  const ids = [];
  for (const [i, upload] of uploads.entries()) {
    const sent = await uploadSubmission(service, { assignment: 'sum-c', student: `pg-${i}` }, upload.files);
    assert.is(sent.status, 202, JSON.stringify(sent.body));
    ids.push(sent.body.id!);
  }
  for (const [i, id] of ids.entries()) assert.is((await waitUntilGraded(service, id, 120_000)).result.verdict, uploads[i]!.verdict);
  const events = await fetch(`${service.url}/v1/submissions/${ids[0]}/events`, { headers: { authorization: `Bearer ${service.key}` } });
  assert.equal(eventsInOrder(await events.text()), ['queued', 'running', 'graded']);
  assert.not.ok(existsSync(join(service.dataDir, 'gradebox.sqlite')), 'the store is PostgreSQL');
});

pgTest('the CLI reaches the same database: a key made with --database works at once; submissions show reads it through DATABASE_URL', async () => {
  const made = cli(['keys', 'create', '--course', 'demo', '--data', service.dataDir, '--database', databaseUrl]);
  assert.is(made.status, 0, made.err);
  const key = made.out.trim().split('\n').pop()!;
  const sent = await uploadSubmission({ url: service.url, key }, { assignment: 'sum-c', student: 'cli' }, { 'main.c': readFileSync(join(SUM_C, 'accepted.c')) });
  assert.is(sent.status, 202);
  await waitUntilGraded({ url: service.url, key }, sent.body.id!, 120_000);
  const shown = cli(['submissions', 'show', sent.body.id!, '--data', service.dataDir], { DATABASE_URL: databaseUrl });
  assert.is(shown.status, 0, shown.err);
  const record = JSON.parse(shown.out) as { reference: string; gradings: unknown[] };
  assert.equal([record.reference, record.gradings.length], [`${sent.body.id}.1`, 1]);
});

pgTest('a second API process on the same database and Redis is a replica: an upload to it is graded once, and both answer for it', async () => {
  const port = await freePort();
  const replica: ChildProcess = spawn(process.execPath, [CLI, 'api', '--port', String(port), '--data', service.dataDir], {
    env: { ...process.env, DATABASE_URL: databaseUrl, REDIS_URL: `unix://${join(service.dataDir, 'redis', 'redis.sock')}` }, stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => replica.once('exit', () => resolve()));
  try {
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 30_000;
    while (!(await fetch(`${url}/readyz`).then((r) => r.ok, () => false))) {
      assert.ok(Date.now() < deadline && replica.exitCode === null, 'the replica came up');
      await new Promise((r) => setTimeout(r, 200));
    }
    const sent = await uploadSubmission({ url, key: service.key }, { assignment: 'sum-c', student: 'replica' }, { 'main.c': readFileSync(join(SUM_C, 'accepted.c')) });
    assert.is(sent.status, 202, JSON.stringify(sent.body));
    const first = await waitUntilGraded({ url, key: service.key }, sent.body.id!, 120_000);
    const second = await waitUntilGraded(service, sent.body.id!, 10_000);
    assert.equal(first, second, 'the same record from both');
    assert.is(first.result.verdict, 'AC');
    const events = await fetch(`${service.url}/v1/submissions/${sent.body.id}/events`, { headers: { authorization: `Bearer ${service.key}` } });
    assert.equal(eventsInOrder(await events.text()), ['queued', 'running', 'graded'], 'enqueued and graded once');
  } finally {
    replica.kill('SIGTERM');
    await exited;
  }
});

test.run();
