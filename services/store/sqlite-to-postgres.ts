// `gradebox migrate`: moves a SQLite store (its database and blob files) into an empty PostgreSQL
// one. The source is read in one read transaction (one consistent moment, while the API may still
// run), every table is copied in one PostgreSQL transaction, and before it commits each table's rows
// are counted and digested on both sides (row-digest.ts): any difference rolls the copy back. A
// table the copy does not know, a column the target lacks, or a target that holds data stops it first.
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

import { InternalError, UserError } from '../common/errors.js';
import { BlobStore } from './blob-store.js';
import { copyBlobFiles, type CopiedBlobFiles } from './copy-blob-files.js';
import { COPIED_TABLES, isOwnTable } from './copied-tables.js';
import { migrate } from './migrations.js';
import { BLOB_DIR, DATABASE_FILE } from './open-store.js';
import { openPool, redactedDatabaseUrl, rows, writeTransaction, type PgClient } from './pg-connection.js';
import { translatePgError } from './pg-errors.js';
import { migratePg } from './pg-migrations.js';
import { RowDigest } from './row-digest.js';
import { openDatabase, type SqliteDatabase } from './sqlite-connection.js';
import { DEFAULT_STORE_OPTIONS } from './store-options.js';

/** Rows per INSERT, and bytes: a batch of big blob contents is sent sooner. */
const BATCH_ROWS = 500;
const BATCH_BYTES = 8 * 1024 * 1024;

export interface TableReport {
  table: string;
  rows: number;
  /** The digest of the rows, equal on both sides. */
  sha256: string;
}

export interface MigrationReport {
  source: string;
  target: string;
  schemaVersion: number;
  tables: TableReport[];
  blobFiles: CopiedBlobFiles;
}

interface TargetTable {
  /** Column name → PostgreSQL data type. */
  types: Map<string, string>;
}

/** The source's data folder and database file, from a data folder or the database file itself. */
export function sourcePaths(path: string): { dataDir: string; file: string } {
  const isDir = existsSync(path) && statSync(path).isDirectory();
  const file = isDir ? join(path, DATABASE_FILE) : path;
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new UserError('E_MIGRATE_SOURCE', `no SQLite store at ${JSON.stringify(path)}; give the data folder (holding ${DATABASE_FILE}) or the database file`);
  }
  return { dataDir: isDir ? path : dirname(file), file };
}

function sourceColumns(db: SqliteDatabase, table: string): string[] {
  return (db.pragma(`table_info(${table})`) as Array<{ name: string }>).map((c) => c.name);
}

/** The primary key's columns, in key order (a table without one is ordered by every column). */
function keyColumns(db: SqliteDatabase, table: string): string[] {
  const columns = db.pragma(`table_info(${table})`) as Array<{ name: string; pk: number }>;
  const key = columns.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
  return key.length > 0 ? key : columns.map((c) => c.name);
}

/** Refuses a source table the copy does not know, and a source column the target lacks. */
function checkKnown(db: SqliteDatabase, target: Map<string, TargetTable>): void {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];
  for (const table of tables.filter((t) => !isOwnTable(t))) {
    if (!COPIED_TABLES.includes(table)) {
      throw new UserError('E_MIGRATE_UNKNOWN_TABLE', `the source has a table "${table}" that gradebox migrate does not copy; nothing was copied (use the gradebox that made that table, or add it to services/store/copied-tables.ts)`);
    }
    const missing = sourceColumns(db, table).filter((c) => !target.get(table)?.types.has(c));
    if (missing.length > 0) {
      throw new UserError('E_MIGRATE_UNKNOWN_COLUMN', `the target's table "${table}" has no column ${missing.join(', ')} that the source has; nothing was copied (the two schemas differ: is one gradebox newer?)`);
    }
  }
}

async function targetTables(client: PgClient): Promise<Map<string, TargetTable>> {
  const found = await rows<{ table_name: string; column_name: string; data_type: string }>(client,
    "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema()");
  const tables = new Map<string, TargetTable>();
  for (const c of found) {
    if (!tables.has(c.table_name)) tables.set(c.table_name, { types: new Map() });
    tables.get(c.table_name)!.types.set(c.column_name, c.data_type);
  }
  return tables;
}

async function checkEmpty(client: PgClient, where: string): Promise<void> {
  for (const table of COPIED_TABLES) {
    if ((await rows(client, `SELECT 1 FROM ${table} LIMIT 1`)).length > 0) {
      throw new UserError('E_MIGRATE_TARGET_NOT_EMPTY', `the target database ${where} already holds data (table ${table}); migrate into a new, empty database`);
    }
  }
}

/** The columns copied: the source's, and SQLite's implicit rowid where the target keeps it as a column. */
function copiedColumns(db: SqliteDatabase, table: string, target: TargetTable): string[] {
  const columns = sourceColumns(db, table);
  return target.types.has('rowid') && !columns.includes('rowid') ? ['rowid', ...columns] : columns;
}

async function insertBatch(client: PgClient, table: string, columns: string[], batch: unknown[][]): Promise<void> {
  const values = batch.map((_, r) => `(${columns.map((__, c) => `$${r * columns.length + c + 1}`).join(', ')})`);
  await client.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values.join(', ')}`, batch.flat());
}

async function copyTable(db: SqliteDatabase, client: PgClient, table: string, columns: string[]): Promise<void> {
  let batch: unknown[][] = [];
  let bytes = 0;
  for (const row of db.prepare(`SELECT ${columns.join(', ')} FROM ${table}`).raw().iterate() as Iterable<unknown[]>) {
    batch.push(row);
    bytes += row.reduce<number>((sum, v) => sum + (Buffer.isBuffer(v) ? v.length : typeof v === 'string' ? v.length : 8), 0);
    if (batch.length >= BATCH_ROWS || bytes >= BATCH_BYTES) {
      await insertBatch(client, table, columns, batch);
      batch = [];
      bytes = 0;
    }
  }
  if (batch.length > 0) await insertBatch(client, table, columns, batch);
}

/** Each identity column's sequence continues after the largest id SQLite ever gave (AUTOINCREMENT remembers deleted ones). */
async function continueSequences(db: SqliteDatabase, client: PgClient): Promise<void> {
  const identities = await rows<{ table_name: string; column_name: string }>(client,
    "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() AND is_identity = 'YES'");
  const hasSequenceTable = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").get() !== undefined;
  for (const { table_name: table, column_name: column } of identities) {
    if (!COPIED_TABLES.includes(table)) continue;
    const [{ max }] = await rows<{ max: number | null }>(client, `SELECT MAX(${column}) AS max FROM ${table}`) as [{ max: number | null }];
    const remembered = hasSequenceTable ? (db.prepare('SELECT seq FROM sqlite_sequence WHERE name = ?').pluck().get(table) as number | undefined) ?? 0 : 0;
    const last = Math.max(max ?? 0, remembered);
    if (last > 0) await client.query('SELECT setval(pg_get_serial_sequence($1, $2), $3)', [table, column, last]);
  }
}

async function digestBoth(db: SqliteDatabase, client: PgClient, table: string, columns: string[], target: TargetTable): Promise<TableReport> {
  const key = keyColumns(db, table);
  const source = new RowDigest(columns);
  for (const row of db.prepare(`SELECT ${columns.join(', ')} FROM ${table} ORDER BY ${key.join(', ')}`).iterate() as Iterable<Record<string, unknown>>) source.add(row);
  const order = key.map((k) => (target.types.get(k) === 'text' ? `${k} COLLATE "C"` : k));
  const copied = new RowDigest(columns);
  // A cursor, so a big table is read a page at a time.
  await client.query(`DECLARE copied NO SCROLL CURSOR FOR SELECT ${columns.join(', ')} FROM ${table} ORDER BY ${order.join(', ')}`);
  for (let page = await rows<Record<string, unknown>>(client, 'FETCH 5000 FROM copied'); page.length > 0; page = await rows(client, 'FETCH 5000 FROM copied')) {
    for (const row of page) copied.add(row);
  }
  await client.query('CLOSE copied');
  if (source.rows !== copied.rows || source.hex() !== copied.hex()) {
    throw new InternalError('E_MIGRATE_MISMATCH', `table ${table} differs after the copy (source ${source.rows} rows, sha256 ${source.hex()}; target ${copied.rows} rows, sha256 ${copied.hex()}); nothing was committed`);
  }
  return { table, rows: source.rows, sha256: source.hex() };
}

/** Refuses, before anything is copied, a source the copy does not fully know or a target that holds data. */
async function precheck(db: SqliteDatabase, client: PgClient, where: string): Promise<Map<string, TargetTable>> {
  const target = await targetTables(client);
  checkKnown(db, target);
  await checkEmpty(client, where);
  return target;
}

/** Copies and verifies every table inside `client`'s transaction; returns the reports. */
async function copyTables(db: SqliteDatabase, client: PgClient, where: string): Promise<TableReport[]> {
  const target = await precheck(db, client, where);
  const columns = new Map(COPIED_TABLES.map((t) => [t, copiedColumns(db, t, target.get(t)!)]));
  for (const table of COPIED_TABLES) await copyTable(db, client, table, columns.get(table)!);
  await continueSequences(db, client);
  const reports: TableReport[] = [];
  for (const table of COPIED_TABLES) reports.push(await digestBoth(db, client, table, columns.get(table)!, target.get(table)!));
  return reports;
}

export interface MigrateOptions {
  /** The SQLite store: its data folder, or its database file. */
  from: string;
  /** The PostgreSQL database: a new, empty one. */
  to: string;
  /** Where the big blobs go. @defaultValue the source's blob folder (they stay where they are) */
  blobDir?: string;
}

/** Copies the store; the source is brought to this gradebox's schema first (as any command opening it would). */
export async function migrateSqliteToPostgres(options: MigrateOptions): Promise<MigrationReport> {
  const { dataDir, file } = sourcePaths(options.from);
  const where = redactedDatabaseUrl(options.to);
  const db = openDatabase(file, DEFAULT_STORE_OPTIONS.busyTimeoutMs);
  const pool = openPool(options.to, 2);
  try {
    const schemaVersion = migrate(db, file);
    const pg = <T>(work: Promise<T>) => work.catch((error: unknown) => { throw translatePgError(error, where); });
    await pg(migratePg(pool, where));
    await pg(writeTransaction(pool, (client) => precheck(db, client, where)));
    // The blob files first: named by their content, they harm nothing if the copy stops later.
    const sourceBlobs = join(dataDir, BLOB_DIR);
    const target = BlobStore.open(options.blobDir ?? sourceBlobs, DEFAULT_STORE_OPTIONS.maxBlobBytes);
    const blobFiles = existsSync(sourceBlobs) ? await copyBlobFiles(sourceBlobs, target) : { files: 0, bytes: 0, digest: '' };
    db.exec('BEGIN'); // one read snapshot for every table and its digest
    try {
      const tables = await pg(writeTransaction(pool, (client) => copyTables(db, client, where)));
      return { source: file, target: where, schemaVersion, tables, blobFiles };
    } finally {
      db.exec('COMMIT');
    }
  } finally {
    db.close();
    await pool.end();
  }
}

/** The report as the command prints it. */
export function reportLines(report: MigrationReport): string[] {
  const width = Math.max(...report.tables.map((t) => t.table.length), 'blob files'.length);
  return [
    `from ${report.source} to ${report.target}, schema version ${report.schemaVersion}`,
    `${'table'.padEnd(width)}  ${'rows'.padStart(8)}  sha256 of the rows (source = target)`,
    ...report.tables.map((t) => `${t.table.padEnd(width)}  ${String(t.rows).padStart(8)}  ${t.sha256}`),
    `${'blob files'.padEnd(width)}  ${String(report.blobFiles.files).padStart(8)}  ${report.blobFiles.digest} (${report.blobFiles.bytes} bytes, each checked against its name)`,
    `migrated ${report.tables.reduce((n, t) => n + t.rows, 0)} rows and ${report.blobFiles.files} blob files; now set DATABASE_URL to the target for every gradebox command (${basename(report.source)} is left as it was)`,
  ];
}
