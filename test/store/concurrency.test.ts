// Several stores on one database: two instances in one process, other processes
// writing at the same time (the API and a CLI), a new database opened by three processes at once, and
// (SQLite) the busy timeout both waiting for a lock and giving up with a clear error.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';

import * as assert from 'uvu/assert';

import { MIGRATIONS } from '../../services/store/schema-migrations.js';
import { StoreFixture, backendTests, internalError, seed, submit } from '../support/store-fixtures.js';

const fixture = new StoreFixture();
const test = backendTests(fixture, 'store/concurrency');
test.after.each(() => fixture.cleanup());

const betterSqlite3 = createRequire(import.meta.url).resolve('better-sqlite3');
const openStoreUrl = new URL('../../services/store/open-store.js', import.meta.url).href;

/** Runs `body` in a new node process with `store` opened on `dataDir` (and its database); resolves with its stdout, rejects on a non-zero exit. */
async function inChild(dataDir: string, body: string, onLine?: (line: string) => void): Promise<string> {
  const script = `import { openStore } from ${JSON.stringify(openStoreUrl)};
    const store = await openStore({ dataDir: process.argv[1], databaseUrl: process.argv[2] || undefined });
    try { ${body} } finally { await store.close(); }`;
  const databaseUrl = (await fixture.databaseUrl(dataDir)) ?? '';
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, dataDir, databaseUrl], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk;
      if (onLine) for (const line of chunk.toString().split('\n')) if (line) onLine(line);
    });
    child.stderr.on('data', (chunk: Buffer) => { err += chunk; });
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`child exited with ${code}: ${err}`))));
  });
}

/** A child process that holds the database's write lock for `ms` once it prints "locked". */
function lockHolder(dataDir: string, ms: number): { locked: Promise<void>; done: Promise<void> } {
  const script = `import Database from ${JSON.stringify(betterSqlite3)};
    const db = new Database(process.argv[1]);
    db.exec('BEGIN IMMEDIATE');
    process.stdout.write('locked\\n');
    setTimeout(() => { db.exec('COMMIT'); db.close(); }, ${ms});`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script, join(dataDir, 'gradebox.sqlite')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const locked = new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  const done = new Promise<void>((resolve, reject) => child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`lock holder exited with ${code}`)))));
  return { locked, done };
}

test('two store instances on one file see each other\'s writes at once', async () => {
  const dir = fixture.dataDir();
  const [api, cli] = [await fixture.open(dir), await fixture.open(dir)];
  const assignment = await seed(api);
  const { secret, key } = await cli.createApiKey('cs101', 'made by the CLI');
  assert.equal(await api.authenticateKey(secret), { keyId: key.id, courseId: 'cs101', scope: 'portal' });
  const made = await Promise.all(Array.from({ length: 10 }, (_, i) => submit(i % 2 ? api : cli, assignment, { 'main.c': `v${i}` })));
  const ids = made.map((m) => m.submission.id);
  assert.is(new Set(ids).size, 10);
  assert.is((await cli.pendingOutbox(100)).length, 10);
  await cli.revokeKey(key.id);
  assert.is(await api.authenticateKey(secret), null);
});

test('another process writing at the same time: every write of both lands, nothing is lost or doubled', async () => {
  const dir = fixture.dataDir();
  const store = await fixture.open(dir);
  const assignment = await seed(store);
  const blob = await store.putBlob(Buffer.from('int main(){}'));
  const count = 50;
  let ready!: () => void;
  const childReady = new Promise<void>((resolve) => { ready = resolve; });
  const child = inChild(dir, `
    const files = [{ path: 'main.c', sha256: ${JSON.stringify(blob.sha256)}, size: ${blob.size} }];
    process.stdout.write('ready\\n');
    for (let i = 0; i < ${count}; i++) {
      const { submission } = await store.createSubmission({ courseId: 'cs101', assignmentId: ${assignment.id}, student: 'child', files, idempotencyKey: 'c' + i });
      await store.appendEvent(submission.id, 'test', { i });
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const { secret } = await store.createApiKey('cs101', 'child');
    process.stdout.write('secret ' + secret + '\\n');`, (line) => { if (line === 'ready') ready(); });
  await childReady; // both loops run at once from here
  const files = [{ path: 'main.c', sha256: blob.sha256, size: blob.size }];
  for (let i = 0; i < count; i++) {
    const { submission } = await store.createSubmission({ courseId: 'cs101', assignmentId: assignment.id, student: 'parent', files, idempotencyKey: `p${i}` });
    await store.requestRegrade(submission.id);
    // a pause between requests, as a server has: SQLite's busy handler is not fair to a waiter
    // while the other process takes the lock again at once
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const secret = /^secret (\S+)$/m.exec(await child)?.[1] ?? '';
  assert.is((await store.authenticateKey(secret))?.courseId, 'cs101');
  assert.equal(await store.countSubmissionsByStatus(), { queued: 2 * count, running: 0, graded: 0, error: 0 });
  assert.is((await store.pendingOutbox(1000)).length, 3 * count, 'a grade row per submission and a regrade row per parent submission');
  const all = await store.listSubmissions({ courseId: 'cs101', limit: 1000 });
  for (const submission of all) {
    const types = (await store.listEvents(submission.id)).map((e) => `${e.seq}:${e.type}`);
    assert.equal(types, submission.student === 'child' ? ['1:queued', '2:test'] : ['1:queued', '2:queued']);
  }
  // the writes really interleaved: the newest-first list switches between the writers more than once
  const writers = all.map((s) => s.student);
  const switches = writers.filter((w, i) => i > 0 && w !== writers[i - 1]).length;
  assert.ok(switches >= 10, `the two processes wrote at the same time (${switches} switches)`);
});

test('two processes opening a new database at the same moment both succeed and migrate it once', async () => {
  const dir = join(fixture.dataDir(), 'fresh');
  await fixture.databaseUrl(dir); // an empty database, made before the race
  const outputs = await Promise.all([1, 2, 3].map(() => inChild(dir, "await store.createCourse('cs101'); process.stdout.write('ok');")));
  assert.equal(outputs, ['ok', 'ok', 'ok']);
  const versions = (await fixture.rows(dir, 'SELECT version FROM schema_migrations ORDER BY version')).map((r) => r.version);
  assert.equal(versions, MIGRATIONS.map((m) => m.version));
});

test.on('sqlite', 'a write waits for another process\'s lock within the busy timeout, and fails clearly past it', async () => {
  const dir = fixture.dataDir();
  const patient = await fixture.open(dir, { busyTimeoutMs: 5000 });
  const impatient = await fixture.open(dir, { busyTimeoutMs: 100 });
  const assignment = await seed(patient);

  let holder = lockHolder(dir, 400);
  await holder.locked;
  const started = Date.now();
  assert.ok((await submit(patient, assignment, { a: '1' })).created);
  assert.ok(Date.now() - started >= 250, 'it waited for the lock');
  await holder.done;

  holder = lockHolder(dir, 800);
  await holder.locked;
  const blob = await impatient.putBlob(Buffer.from('b'));
  const error = await internalError(
    impatient.createSubmission({ courseId: 'cs101', assignmentId: assignment.id, student: 'ada', files: [{ path: 'b', sha256: blob.sha256, size: 1 }] }),
    'E_STORE_BUSY');
  assert.match(error.message, /gradebox\.sqlite stayed locked/);
  assert.is((await impatient.listSubmissions({ courseId: 'cs101' })).length, 1, 'reads still work during the lock (WAL)');
  await holder.done;
});

test.run();
