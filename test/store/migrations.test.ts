// The store's database: created and migrated from nothing, re-opened without
// change, refused when a newer gradebox wrote it, and each migration all-or-nothing.
import { existsSync, lstatSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import Database from 'better-sqlite3';
import * as assert from 'uvu/assert';

import { migrate } from '../../services/store/migrations.js';
import { MIGRATIONS } from '../../services/store/schema-migrations.js';
import { openDatabase, relaxedWrite } from '../../services/store/sqlite-connection.js';
import { DEFAULT_STORE_OPTIONS, resolveStoreOptions, type StoreOptions } from '../../services/store/store-options.js';
import { GRADER_DIGEST, StoreFixture, backendTests, by, internalError, seed, storeSnapshot, userError } from '../support/store-fixtures.js';

const fixture = new StoreFixture();
const test = backendTests(fixture, 'store/migrations');
test.after.each(() => fixture.cleanup());

async function versions(dir: string): Promise<number[]> {
  return (await fixture.rows(dir, 'SELECT version FROM schema_migrations ORDER BY version')).map((r) => Number(r.version));
}

function inspect(dataDir: string): { versions: number[]; tables: string[]; journal: unknown } {
  const db = new Database(join(dataDir, 'gradebox.sqlite'), { readonly: true });
  try {
    return {
      versions: db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all() as number[],
      tables: db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[],
      journal: db.pragma('journal_mode', { simple: true }),
    };
  } finally {
    db.close();
  }
}

test.on('sqlite', 'an empty data dir gets gradebox.sqlite (WAL, every migration applied) and blobs/', async () => {
  const dir = join(fixture.dataDir(), 'nested', 'var');
  const store = await fixture.open(dir);
  assert.ok(lstatSync(join(dir, 'blobs')).isDirectory());
  assert.ok(lstatSync(join(dir, 'gradebox.sqlite')).isFile());
  const seen = inspect(dir);
  assert.equal(seen.versions, MIGRATIONS.map((m) => m.version));
  assert.is(seen.journal, 'wal');
  for (const table of ['api_keys', 'assignments', 'attempts', 'blob_contents', 'courses', 'events', 'grader_snapshots', 'incidents', 'outbox', 'results', 'schema_migrations', 'submission_files', 'submissions']) {
    assert.ok(seen.tables.includes(table), `table ${table} exists`);
  }
  await store.ping();
});

test('re-opening keeps the data and applies nothing twice', async () => {
  const dir = fixture.dataDir();
  const first = await fixture.open(dir);
  await seed(first);
  await first.close();
  const again = await fixture.open(dir);
  assert.is((await again.getCourse('cs101'))?.name, 'Intro');
  assert.is((await again.findAssignment('cs101', 'sum'))?.graderDir, '/srv/graders/sum-c');
  assert.equal(await versions(dir), MIGRATIONS.map((m) => m.version));
});

test('a database written by a newer gradebox is refused with a clear error, and left as it was', async () => {
  const dir = fixture.dataDir();
  await (await fixture.open(dir)).close();
  await fixture.exec(dir, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'from the future', '2030-01-01T00:00:00.000Z')");
  const error = await userError(fixture.open(dir), 'E_STORE_SCHEMA_NEWER');
  assert.match(error.message, /schema version 99/);
  assert.match(error.message, new RegExp(`up to ${MIGRATIONS.length}`));
  assert.match(error.message, fixture.backend === 'sqlite' ? /gradebox\.sqlite/ : /postgres:\/\/gradebox@/);
  assert.equal((await versions(dir)).at(-1), 99);
});

/** SQL of an old database's rows: course cs101, assignment 1, and submission `id` in `status` at grade 1. */
function oneSubmission(id: string, status: string, at: string): string {
  return `INSERT INTO courses (id, name, created_at) VALUES ('cs101', 'Intro', '${at}');
    INSERT INTO assignments (id, course_id, name, grader_dir, grader_digest, created_at, updated_at) VALUES (1, 'cs101', 'sum', '/srv/graders/sum-c', '${GRADER_DIGEST}', '${at}', '${at}');
    INSERT INTO submissions (id, course_id, assignment_id, student, status, grade_number, file_count, total_bytes, created_at, updated_at)
      VALUES ('${id}', 'cs101', 1, 'ada', '${status}', 1, 0, 0, '${at}', '${at}');`;
}

test('after version 3 each try counts once; attempts stored before it stay counted', async () => {
  const dir = fixture.dataDir();
  const at = '2026-01-01T00:00:00.000Z';
  const id = 'sub_AAAAAAAAAAAAAAAAAAAAAA';
  await fixture.oldDatabase(dir, 2, `${oneSubmission(id, 'running', at)}
    INSERT INTO attempts (submission_id, grade_number, worker_id, started_at) VALUES ('${id}', 1, 'w', '${at}');`);
  const store = await fixture.open(dir);
  assert.is((await store.getSubmission(id))?.attempts, 1, 'the attempt from before stays');
  assert.equal(await store.startAttempt(id, 1, by('w', 2)), { started: true, attempt: 2 });
  assert.equal(await store.startAttempt(id, 1, by('w', 2)), { started: false, attempt: 0 }, 'the same try again');
  assert.is((await store.getSubmission(id))?.attempts, 2);
});

test('after version 11 grading requests keep their request id; one queued before has none', async () => {
  const dir = fixture.dataDir();
  const at = '2026-01-01T00:00:00.000Z';
  const id = 'sub_AAAAAAAAAAAAAAAAAAAAAA';
  await fixture.oldDatabase(dir, 10, `${oneSubmission(id, 'queued', at)}
    INSERT INTO outbox (submission_id, kind, grade_number, created_at) VALUES ('${id}', 'grade', 1, '${at}');`);
  const store = await fixture.open(dir);
  await store.requestRegrade(id, 'r-2');
  assert.equal((await store.pendingOutbox(10)).map((o) => [o.gradeNumber, o.requestId]), [[1, null], [2, 'r-2']]);
});

test('after version 4 graders are snapshotted; an assignment from before keeps its row and has no snapshot until added again', async () => {
  const dir = fixture.dataDir();
  const at = '2026-01-01T00:00:00.000Z';
  await fixture.oldDatabase(dir, 3, `INSERT INTO courses (id, name, created_at) VALUES ('cs101', 'Intro', '${at}');
    INSERT INTO assignments (id, course_id, name, grader_dir, grader_digest, created_at, updated_at) VALUES (7, 'cs101', 'sum', '/srv/graders/sum-c', '${GRADER_DIGEST}', '${at}', '${at}');`);
  const store = await fixture.open(dir);
  assert.equal(await versions(dir), MIGRATIONS.map((m) => m.version));
  assert.is((await store.findAssignment('cs101', 'sum'))?.id, 7);
  assert.is(await store.findGraderSnapshot(GRADER_DIGEST), null, 'no snapshot: its gradings are refused until it is added again');
  await storeSnapshot(store, GRADER_DIGEST);
  assert.is((await store.addAssignment('cs101', 'sum', '/srv/graders/sum-c', GRADER_DIGEST)).id, 7, 'added again, the same assignment');
});

test.on('sqlite', 'a migration that fails leaves no trace of itself; the ones before it stay applied', () => {
  const dir = fixture.dataDir();
  const file = join(dir, 'gradebox.sqlite');
  const db = openDatabase(file, 1000);
  try {
    const broken = [
      { version: 1, name: 'one', sql: 'CREATE TABLE one (x INTEGER) STRICT;' },
      { version: 2, name: 'two', sql: 'CREATE TABLE two (x INTEGER) STRICT; INSERT INTO nowhere VALUES (1);' },
    ];
    assert.throws(() => migrate(db, file, broken));
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
    assert.ok(tables.includes('one'));
    assert.not.ok(tables.includes('two'), 'the failed migration rolled back');
    assert.equal(db.prepare('SELECT version FROM schema_migrations').pluck().all(), [1]);
    assert.is(migrate(db, file, broken.slice(0, 1)), 1, 'the applied one is not applied again');
  } finally {
    db.close();
  }
});

test.on('sqlite', 'a connection compiles each statement once; a cached one returns whole rows again', () => {
  const db = openDatabase(join(fixture.dataDir(), 'gradebox.sqlite'), 1000);
  try {
    const sql = 'SELECT 7 AS seven';
    assert.is(db.prepare(sql).pluck().get(), 7);
    assert.is(db.prepare(sql), db.prepare(sql), 'the same compiled statement');
    assert.equal(db.prepare(sql).get(), { seven: 7 }, 'not left in pluck mode by the call before');
    db.prepare('CREATE TABLE t (x INTEGER)').run();
    db.prepare('INSERT INTO t VALUES (?)').run(1);
    db.prepare('INSERT INTO t VALUES (?)').run(2);
    assert.equal(db.prepare('SELECT x FROM t ORDER BY x').pluck().all(), [1, 2]);
  } finally {
    db.close();
  }
});

test.on('sqlite', 'commits are synced (FULL); a relaxed write skips it for its own commit only, even when it throws', () => {
  const db = openDatabase(join(fixture.dataDir(), 'gradebox.sqlite'), 1000);
  const level = (): unknown => db.pragma('synchronous', { simple: true });
  assert.is(level(), 2, 'FULL');
  db.exec('CREATE TABLE t (x)');
  assert.is(relaxedWrite(db, () => { db.prepare('INSERT INTO t VALUES (1)').run(); return level(); }), 1, 'NORMAL inside');
  assert.is(level(), 2);
  assert.throws(() => relaxedWrite(db, () => { throw new Error('the write failed'); }), /the write failed/);
  assert.is(level(), 2, 'FULL again after a failure');
  assert.is(db.prepare('SELECT COUNT(*) FROM t').pluck().get(), 1);
  db.close();
});

test.on('sqlite', 'migrations numbered with a gap are a programming error', () => {
  const dir = fixture.dataDir();
  const file = join(dir, 'gradebox.sqlite');
  const db = openDatabase(file, 1000);
  try {
    assert.throws(() => migrate(db, file, [{ version: 2, name: 'skips one', sql: '' }]), /expected 1/);
  } finally {
    db.close();
  }
});

test.on('sqlite', 'a file that is not a database, and a data dir that is a file, are named in the error', async () => {
  const dir = fixture.dataDir();
  writeFileSync(join(dir, 'gradebox.sqlite'), 'this is not sqlite, just text that is long enough to be a header '.repeat(20));
  const error = await internalError(fixture.open(dir), 'E_STORE_CORRUPT');
  assert.match(error.message, /gradebox\.sqlite is not a gradebox database/);
  assert.not.match(error.message, /SQLITE_/);
  const file = join(fixture.dataDir(), 'plain-file');
  writeFileSync(file, '');
  await userError(fixture.open(file), 'E_STORE_DIR');
  assert.not.ok(existsSync(join(file, 'blobs')));
});

test('store options: defaults, overrides, and a bad value or unknown key refused', async () => {
  assert.equal(resolveStoreOptions({ maxBlobBytes: 10 }), { ...DEFAULT_STORE_OPTIONS, maxBlobBytes: 10 });
  assert.throws(() => resolveStoreOptions({ busyTimeoutMs: 0 }), /busyTimeoutMs must be a whole number above 0/);
  assert.throws(() => resolveStoreOptions({ maxJsonBytes: 1.5 }), /maxJsonBytes/);
  assert.throws(() => resolveStoreOptions({ nope: 1 } as Partial<StoreOptions>), /unknown store option "nope"/);
  await internalError(fixture.open(undefined, { maxFilesPerSubmission: -1 }), 'E_STORE_OPTIONS');
});

test.run();
