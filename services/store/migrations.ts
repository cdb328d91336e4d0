// Brings a database to the newest schema this code knows: each numbered migration in its own
// transaction, recorded in `schema_migrations`; a database from a newer gradebox is refused.
import { InternalError, UserError } from '../common/errors.js';
import { MIGRATIONS, type Migration } from './schema-migrations.js';
import type { SqliteDatabase } from './sqlite-connection.js';

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at TEXT NOT NULL
) STRICT`;

function currentVersion(db: SqliteDatabase): number {
  return (db.prepare('SELECT COALESCE(MAX(version), 0) FROM schema_migrations').pluck().get() as number);
}

/** Refuses a list of migrations that is not numbered 1, 2, 3 … (a programming error). */
export function checkNumbering(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new InternalError('E_STORE_MIGRATIONS', `migration "${m.name}" has version ${m.version}, expected ${i + 1}`);
  });
}

/** The error for a database a newer gradebox wrote: this one would not know its tables. */
export function newerSchema(where: string, found: number, known: number): UserError {
  return new UserError('E_STORE_SCHEMA_NEWER',
    `the database ${where} has schema version ${found}, but this gradebox knows versions up to ${known}; run a gradebox at least as new as the one that wrote it, or choose another data dir`);
}

/**
 * Applies the missing migrations and returns the schema version. Each one runs in an IMMEDIATE
 * transaction that reads the version again first, so two processes opening a new database at the
 * same moment apply each migration once.
 */
export function migrate(db: SqliteDatabase, file: string, migrations: readonly Migration[] = MIGRATIONS): number {
  checkNumbering(migrations);
  const known = migrations.length;
  db.exec(CREATE_TABLE);
  const found = currentVersion(db);
  if (found > known) throw newerSchema(file, found, known);
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const migration of migrations) {
    db.transaction(() => {
      if (currentVersion(db) >= migration.version) return;
      db.exec(migration.sql);
      record.run(migration.version, migration.name, new Date().toISOString());
    }).immediate();
  }
  return currentVersion(db);
}
