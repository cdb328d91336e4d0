// Brings a PostgreSQL database to the newest schema this code knows, with the same version table as
// SQLite's (migrations.ts): each numbered migration in its own transaction, recorded in
// `schema_migrations`; a database from a newer gradebox is refused. Every process that opens the
// store runs this: an advisory lock makes them take turns, so each migration is applied once.
import { checkNumbering, newerSchema } from './migrations.js';
import { row, type PgClient, type PgPool } from './pg-connection.js';
import { PG_MIGRATIONS } from './pg-schema-migrations.js';
import type { Migration } from './schema-migrations.js';

/** The advisory lock key of gradebox's migrations (any fixed number: it names the lock within the database). */
export const MIGRATION_LOCK_KEY = 0x6772_6164_6562;

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version integer PRIMARY KEY,
  name text NOT NULL,
  applied_at timestamptz NOT NULL
)`;

async function currentVersion(client: PgClient): Promise<number> {
  return (await row<{ version: number }>(client, 'SELECT COALESCE(MAX(version), 0) AS version FROM schema_migrations'))!.version;
}

async function apply(client: PgClient, migration: Migration): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query(migration.sql);
    await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [migration.version, migration.name, new Date().toISOString()]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** Applies the missing migrations under the advisory lock and returns the schema version. */
export async function migratePg(pool: PgPool, where: string, migrations: readonly Migration[] = PG_MIGRATIONS): Promise<number> {
  checkNumbering(migrations);
  const client = await pool.connect();
  try {
    // A session lock, held across the transactions below; another opener waits here.
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await client.query(CREATE_TABLE);
      const found = await currentVersion(client);
      if (found > migrations.length) throw newerSchema(where, found, migrations.length);
      for (const migration of migrations.slice(found)) await apply(client, migration);
      return await currentVersion(client);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    client.release();
  }
}
