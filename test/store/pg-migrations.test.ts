// The PostgreSQL store's own mechanisms (its operations run in every other store test file, on both
// backends): its migrations are the SQLite ones' twins, table for table and column for column, each
// all-or-nothing; relaxed writes skip the flush for their own commit only; a database that cannot
// be reached, or a URL that is not PostgreSQL's, is named in the error without its password.
import { join } from 'node:path';

import Database from 'better-sqlite3';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { lookUpServiceUser } from '../../services/account/service-user.js';
import { postgresBinDir, startPrivatePostgres, type PrivatePostgres } from '../../services/bench/private-postgres.js';
import { config } from '../../services/common/config.js';
import { migrate } from '../../services/store/migrations.js';
import { openStore } from '../../services/store/open-store.js';
import { openPool, relaxedWrite, rows, type PgPool } from '../../services/store/pg-connection.js';
import { migratePg } from '../../services/store/pg-migrations.js';
import { PG_MIGRATIONS } from '../../services/store/pg-schema-migrations.js';
import { MIGRATIONS } from '../../services/store/schema-migrations.js';
import { openDatabase } from '../../services/store/sqlite-connection.js';
import { internalError, StoreFixture, userError } from '../support/store-fixtures.js';

const installed = postgresBinDir() !== null;
let server: PrivatePostgres;
const pools: PgPool[] = [];
const fixture = new StoreFixture();

test.before(async () => {
  // Durable (commits wait for their flush), as a production server: the relaxed-write test compares against that.
  if (installed) server = await startPrivatePostgres(lookUpServiceUser(config().serviceUser), { durable: true });
});
test.after.each(async () => {
  for (const pool of pools.splice(0)) await pool.end();
  await fixture.cleanup();
});
test.after(async () => {
  await server?.stop();
});

async function freshPool(): Promise<PgPool> {
  const pool = openPool(await server.createDatabase(), 2);
  pools.push(pool);
  return pool;
}

/** Each table's columns, sorted, from a migrated SQLite database. */
function sqliteColumns(): Record<string, string[]> {
  const file = join(fixture.dataDir(), 'gradebox.sqlite');
  const db = openDatabase(file, 1000);
  try {
    migrate(db, file);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[];
    return Object.fromEntries(tables.map((t) => [t, (db.pragma(`table_info(${t})`) as Array<{ name: string }>).map((c) => c.name).sort()]));
  } finally {
    (db as Database.Database).close();
  }
}

function pgTest(name: string, body: () => Promise<void>): void {
  test(name, async () => {
    if (!installed) {
      process.stdout.write(`skipped (PostgreSQL is not installed; infra/install.sh installs it): ${name}\n`);
      return;
    }
    await body();
  });
}

test('the PostgreSQL migrations are the SQLite ones\' twins: same versions, same names', () => {
  assert.equal(PG_MIGRATIONS.map((m) => [m.version, m.name]), MIGRATIONS.map((m) => [m.version, m.name]));
});

pgTest('a new database gets every migration once, with the same tables and columns as SQLite\'s (and rowid made a column)', async () => {
  const pool = await freshPool();
  assert.is(await migratePg(pool, 'test'), MIGRATIONS.length);
  assert.is(await migratePg(pool, 'test'), MIGRATIONS.length, 'again: nothing to do');
  const columns = await rows<{ table_name: string; column_name: string }>(pool,
    "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, column_name");
  const pg: Record<string, string[]> = {};
  for (const c of columns) (pg[c.table_name] ??= []).push(c.column_name);
  pg.submissions = pg.submissions!.filter((c) => c !== 'rowid');
  const sqlite = sqliteColumns();
  for (const table of Object.keys(sqlite)) sqlite[table]!.sort();
  for (const table of Object.keys(pg)) pg[table]!.sort();
  assert.equal(pg, sqlite);
  assert.equal((await rows<{ version: number }>(pool, 'SELECT version FROM schema_migrations ORDER BY version')).map((r) => r.version), MIGRATIONS.map((m) => m.version));
});

pgTest('a migration that fails leaves no trace of itself; the ones before it stay applied; a gap in the numbers is a programming error', async () => {
  const pool = await freshPool();
  const broken = [
    { version: 1, name: 'one', sql: 'CREATE TABLE one (x integer);' },
    { version: 2, name: 'two', sql: 'CREATE TABLE two (x integer); INSERT INTO nowhere VALUES (1);' },
  ];
  await migratePg(pool, 'test', broken).then(() => assert.unreachable('the broken migration was applied'), () => undefined);
  const tables = (await rows<{ table_name: string }>(pool, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")).map((r) => r.table_name);
  assert.ok(tables.includes('one'));
  assert.not.ok(tables.includes('two'), 'the failed migration rolled back');
  assert.is(await migratePg(pool, 'test', broken.slice(0, 1)), 1, 'the applied one is not applied again');
  await migratePg(pool, 'test', [{ version: 2, name: 'skips one', sql: '' }]).then(() => assert.unreachable('a gap was accepted'), (e: Error) => assert.match(e.message, /expected 1/));
});

pgTest('a relaxed write does not wait for its flush; other commits do, even after a relaxed one failed', async () => {
  const pool = await freshPool();
  const setting = async (db: { query: PgPool['query'] }) => (await db.query('SHOW synchronous_commit')).rows[0].synchronous_commit as string;
  assert.is(await relaxedWrite(pool, (client) => setting(client)), 'off');
  await relaxedWrite(pool, () => Promise.reject(new Error('the write failed'))).then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /the write failed/));
  for (let i = 0; i < 3; i++) assert.is(await setting(pool), 'on', 'SET LOCAL ended with its transaction');
});

pgTest('an unreachable database is named without its password; a URL that is not PostgreSQL\'s is refused', async () => {
  const url = `postgres://gradebox:sekrit@/nothing?host=${encodeURIComponent(join(fixture.dataDir(), 'no-server'))}`;
  const error = await internalError(openStore({ dataDir: fixture.dataDir(), databaseUrl: url }), 'E_STORE_UNAVAILABLE');
  assert.match(error.message, /postgres:\/\/gradebox:\*\*\*@\/nothing/);
  assert.not.match(error.message, /sekrit/);
  const missing = await internalError(openStore({ dataDir: fixture.dataDir(), databaseUrl: server.urlOf('no_such_database') }), 'E_STORE_UNAVAILABLE');
  assert.match(missing.message, /does not exist/);
  const wrong = await userError(openStore({ dataDir: fixture.dataDir(), databaseUrl: 'mysql://root:pw@db/x' }), 'E_DATABASE_URL');
  assert.not.match(wrong.message, /pw@/);
});

test.run();
