// Shared by the store tests: real stores on each backend (SQLite, and PostgreSQL where it is
// installed) in temp data dirs (always closed and removed), a seeded course with an assignment, and
// a short way to submit stored files.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Database from 'better-sqlite3';
import pg from 'pg';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

import { lookUpServiceUser } from '../../services/account/service-user.js';
import { postgresBinDir, startPrivatePostgres, type PrivatePostgres } from '../../services/bench/private-postgres.js';
import { config } from '../../services/common/config.js';
import { InternalError, UserError } from '../../services/common/errors.js';
import { migrate } from '../../services/store/migrations.js';
import { openStore } from '../../services/store/open-store.js';
import { openPool } from '../../services/store/pg-connection.js';
import { migratePg } from '../../services/store/pg-migrations.js';
import { PG_MIGRATIONS } from '../../services/store/pg-schema-migrations.js';
import { MIGRATIONS } from '../../services/store/schema-migrations.js';
import { openDatabase } from '../../services/store/sqlite-connection.js';
import type { Assignment, AttemptBy, CreatedSubmission, NewSubmission, Store } from '../../services/store/store.js';
import type { StoreOptions } from '../../services/store/store-options.js';

export const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
export const GRADER_DIGEST = sha256('grader sum-c v1');

/** The backends the store tests run on: SQLite always, PostgreSQL where it is installed. */
export type Backend = 'sqlite' | 'postgres';

let skipNoted = false;

export function storeBackends(): Backend[] {
  if (postgresBinDir() !== null) return ['sqlite', 'postgres'];
  if (!skipNoted) process.stdout.write('store tests on PostgreSQL skipped: it is not installed (no /usr/lib/postgresql/*/bin/initdb; infra/install.sh installs it)\n');
  skipNoted = true;
  return ['sqlite'];
}

/**
 * Real stores in temp data dirs (always closed and removed), on the backend the running suite
 * tests: SQLite in the data dir, or a fresh database of this file's private PostgreSQL server per
 * data dir (the server is started once per file, by the suite's first test).
 */
export class StoreFixture {
  private readonly dirs: string[] = [];
  private readonly stores: Store[] = [];
  private readonly databases = new Map<string, string>();
  private server: PrivatePostgres | null = null;
  backend: Backend = 'sqlite';

  /** Makes `backend` the one of the stores opened from now on (a suite's `before` does it). */
  async use(backend: Backend): Promise<void> {
    this.backend = backend;
    if (backend === 'postgres') this.server ??= await startPrivatePostgres(lookUpServiceUser(config().serviceUser));
  }

  /** Stops this file's PostgreSQL server, if it started one. */
  async stopServer(): Promise<void> {
    await this.server?.stop();
    this.server = null;
  }

  dataDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'gradebox-store-t-'));
    this.dirs.push(dir);
    return dir;
  }

  /** The database URL of `dataDir` on PostgreSQL (a new database the first time), or undefined on SQLite. */
  async databaseUrl(dataDir: string): Promise<string | undefined> {
    if (this.backend !== 'postgres') return undefined;
    if (!this.databases.has(dataDir)) this.databases.set(dataDir, await this.server!.createDatabase());
    return this.databases.get(dataDir);
  }

  /** A store on `dataDir` (a fresh one when not given), closed by `cleanup()`. */
  async open(dataDir = this.dataDir(), options: Partial<StoreOptions> = {}): Promise<Store> {
    const store = await openStore({ dataDir, databaseUrl: await this.databaseUrl(dataDir) }, options);
    this.stores.push(store);
    return store;
  }

  /**
   * Makes `dataDir`'s database as a gradebox of schema `version` left it, holding what `sql` (plain
   * SQL both databases take) inserts, as an upgrade finds it.
   */
  async oldDatabase(dataDir: string, version: number, sql: string): Promise<void> {
    const url = await this.databaseUrl(dataDir);
    if (url === undefined) {
      const file = join(dataDir, 'gradebox.sqlite');
      const db = openDatabase(file, 1000);
      try {
        migrate(db, file, MIGRATIONS.slice(0, version));
        db.exec(sql);
      } finally {
        db.close();
      }
      return;
    }
    const pool = openPool(url, 1);
    try {
      await migratePg(pool, url, PG_MIGRATIONS.slice(0, version));
      await pool.query(sql);
    } finally {
      await pool.end();
    }
  }

  /** The rows of `sql`, read around the store (as an operator's query would) from `dataDir`'s database. */
  async rows(dataDir: string, sql: string): Promise<Array<Record<string, unknown>>> {
    const url = await this.databaseUrl(dataDir);
    if (url === undefined) {
      const db = new Database(join(dataDir, 'gradebox.sqlite'), { readonly: true });
      try {
        return db.prepare(sql).all() as Array<Record<string, unknown>>;
      } finally {
        db.close();
      }
    }
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(sql)).rows as Array<Record<string, unknown>>;
    } finally {
      await client.end();
    }
  }

  /** Runs `sql` (a write) on `dataDir`'s database, around the store. */
  async exec(dataDir: string, sql: string): Promise<void> {
    const url = await this.databaseUrl(dataDir);
    if (url === undefined) {
      const db = new Database(join(dataDir, 'gradebox.sqlite'));
      try {
        db.exec(sql);
      } finally {
        db.close();
      }
      return;
    }
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }

  async count(dataDir: string, table: string): Promise<number> {
    return Number((await this.rows(dataDir, `SELECT COUNT(*) AS n FROM ${table}`))[0]!.n);
  }

  /**
   * Makes every insert into `table` fail, from a second connection (as a broken disk or a bug
   * would, with a constraint's error), until the returned function is called.
   */
  async breakInserts(dataDir: string, table: string): Promise<() => Promise<void>> {
    const url = await this.databaseUrl(dataDir);
    if (url === undefined) {
      const db = new Database(join(dataDir, 'gradebox.sqlite'));
      db.exec(`CREATE TRIGGER broken_${table} BEFORE INSERT ON ${table} BEGIN SELECT RAISE(ABORT, 'injected failure'); END`);
      return async () => {
        db.exec(`DROP TRIGGER broken_${table}`);
        db.close();
      };
    }
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`CREATE FUNCTION broken_${table}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'injected failure' USING ERRCODE = 'check_violation'; END $$;
      CREATE TRIGGER broken_${table} BEFORE INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION broken_${table}()`);
    return async () => {
      await client.query(`DROP TRIGGER broken_${table} ON ${table}; DROP FUNCTION broken_${table}()`);
      await client.end();
    };
  }

  /** The files holding `dataDir`'s data on disk (PostgreSQL's after a checkpoint) that contain `needle`. */
  async filesHolding(dataDir: string, needle: string): Promise<string[]> {
    const url = await this.databaseUrl(dataDir);
    let files: string[];
    if (url === undefined) {
      files = ['gradebox.sqlite', 'gradebox.sqlite-wal'].map((name) => join(dataDir, name)).filter((path) => existsSync(path));
    } else {
      await this.rows(dataDir, 'CHECKPOINT');
      files = filesUnder(this.server!.dataDir);
    }
    return files.filter((path) => readFileSync(path).includes(needle));
  }

  async cleanup(): Promise<void> {
    for (const store of this.stores.splice(0)) await store.close();
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    this.databases.clear();
  }
}

/** Every regular file under `dir`, links not followed. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return filesUnder(path);
    return e.isFile() ? [path] : [];
  });
}

type TestBody = () => void | Promise<void>;

/** uvu's `test`, registering each test once per backend (a suite each, run one after the other). */
export interface BackendTests {
  (name: string, body: TestBody): void;
  /** A test of one backend only (a mechanism the other does not have). */
  on(backend: Backend, name: string, body: TestBody): void;
  after: { each(hook: () => void | Promise<void>): void };
  run(): void;
}

/**
 * The store tests of a file, run on every backend with `fixture` pointing at the suite's backend:
 * the tests are written once, as for one store.
 */
export function backendTests(fixture: StoreFixture, title: string): BackendTests {
  const suites = storeBackends().map((backend) => {
    const backendSuite = suite(`${title} [${backend}]`);
    backendSuite.before(() => fixture.use(backend));
    backendSuite.after(() => fixture.stopServer());
    return { backend, suite: backendSuite };
  });
  const test = ((name: string, body: TestBody) => { for (const s of suites) s.suite(name, body); }) as BackendTests;
  test.on = (backend, name, body) => { for (const s of suites) if (s.backend === backend) s.suite(name, body); };
  test.after = { each: (hook) => { for (const s of suites) s.suite.after.each(hook); } };
  test.run = () => { for (const s of suites) s.suite.run(); };
  return test;
}

/** A stand-in snapshot of the grader `digest` (the store keeps its tar as it is given). */
export async function storeSnapshot(store: Store, digest: string): Promise<void> {
  await store.addGraderSnapshot({ digest, tar: Buffer.from(`a tar of grader ${digest}`), manifest: { tests: ['sample'], files: [{ path: 'grader.yaml', sha256: sha256(digest), size: 10 }] } });
}

/** An assignment of `courseId` (which must exist) with a snapshot of the grader `digest`. */
export async function addAssignment(store: Store, courseId: string, name: string, graderDir: string, digest: string): Promise<Assignment> {
  await storeSnapshot(store, digest);
  return store.addAssignment(courseId, name, graderDir, digest);
}

/** Course `cs101` with assignment `sum`. */
export async function seed(store: Store, courseId = 'cs101'): Promise<Assignment> {
  await store.createCourse(courseId, 'Intro');
  return addAssignment(store, courseId, 'sum', '/srv/graders/sum-c', GRADER_DIGEST);
}

/** Stores each file's content as a blob and submits them. */
export async function submit(store: Store, assignment: Assignment, files: Record<string, string>, extra: Partial<NewSubmission> = {}): Promise<CreatedSubmission> {
  const manifest = [];
  for (const [path, content] of Object.entries(files)) {
    const blob = await store.putBlob(Buffer.from(content));
    manifest.push({ path, sha256: blob.sha256, size: blob.size });
  }
  return store.createSubmission({ courseId: assignment.courseId, assignmentId: assignment.id, student: 'ada', files: manifest, ...extra });
}

/** The UserError a call rejects with, checked to carry `code`; fails the test when it succeeds. */
export async function userError(call: Promise<unknown>, code: string): Promise<UserError> {
  const error = await call.then(() => null, (e: unknown) => e);
  if (error === null) assert.unreachable(`expected a UserError ${code}, but the call succeeded`);
  assert.instance(error, UserError, `expected a UserError ${code}, got ${String(error)}`);
  assert.is((error as UserError).code, code, (error as UserError).message);
  return error as UserError;
}

/** The InternalError a call rejects with, checked to carry `code`. */
export async function internalError(call: Promise<unknown>, code: string): Promise<InternalError> {
  const error = await call.then(() => null, (e: unknown) => e);
  if (error === null) assert.unreachable(`expected an InternalError ${code}, but the call succeeded`);
  assert.instance(error, InternalError, `expected an InternalError ${code}, got ${String(error)}`);
  assert.is((error as InternalError).code, code, (error as InternalError).message);
  return error as InternalError;
}

/** A worker's try at a grading (the first, unless told). */
export function by(workerId: string, attempt = 1): AttemptBy {
  return { workerId, attempt };
}
