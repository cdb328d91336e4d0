// gradebox migrate on a populated SQLite store: every table and blob file arrives in PostgreSQL and
// reads back through the store as it did from SQLite (keys still authenticate, ids continue where
// SQLite left off), the counts and digests are printed; a non-empty target, and a source table the
// command does not know, are refused with nothing copied.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import Database from 'better-sqlite3';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { lookUpServiceUser } from '../../services/account/service-user.js';
import { postgresBinDir, startPrivatePostgres, type PrivatePostgres } from '../../services/bench/private-postgres.js';
import { CLI } from '../../services/bench/local-service.js';
import { config } from '../../services/common/config.js';
import { COPIED_TABLES } from '../../services/store/copied-tables.js';
import { openStore } from '../../services/store/open-store.js';
import type { BlobContent, NewSubmissionFile, Store } from '../../services/store/store.js';
import { StoreFixture, by, seed, sha256, submit } from '../support/store-fixtures.js';

const installed = postgresBinDir() !== null;
let server: PrivatePostgres;
const fixture = new StoreFixture();
test.before(async () => {
  if (installed) server = await startPrivatePostgres(lookUpServiceUser(config().serviceUser));
});
test.after.each(() => fixture.cleanup());
test.after(async () => {
  await server?.stop();
});

/** `gradebox migrate ARGS` as an operator runs it (as root: it becomes the service account). */
function migrate(...args: string[]): { status: number | null; out: string; err: string } {
  const run = spawnSync(process.execPath, [CLI, 'migrate', ...args], { encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' } });
  return { status: run.status, out: run.stdout, err: run.stderr };
}

const bytesOf = (blob: BlobContent | null): Buffer => blob?.content ?? readFileSync(blob!.path!);

/** A store that has seen some use: two courses, keys (one revoked), due dates, big and small files, regrades, results, failures, incidents, dispatched outbox rows. */
async function populate(store: Store): Promise<{ secret: string; big: Buffer; evidence: Buffer }> {
  const sum = await seed(store);
  const other = await seed(store, 'cs-202');
  await store.setFeedbackSchedule('cs101', 'sum', { dueAt: '2026-05-01T23:59:00+02:00', released: true });
  const { secret } = await store.createApiKey('cs101', 'LMS');
  await store.revokeKey((await store.createApiKey('cs101', 'old')).key.id);
  const big = randomBytes(300 * 1024);
  const bigBlob = await store.putBlob(big);
  const evidence = randomBytes(400 * 1024);
  const evidenceBlob = await store.putBlob(evidence);
  const ids: string[] = [];
  for (let i = 0; i < 12; i++) {
    const content = Buffer.from(`int main(void) { return ${i}; } /* ü ${'\u0000'} */\n`);
    const files: NewSubmissionFile[] = [{ path: `src/${i}.c`, sha256: sha256(content), size: content.length, content }];
    if (i === 0) files.push({ path: 'data.bin', sha256: bigBlob.sha256, size: big.length });
    ids.push((await store.createSubmission({ courseId: i % 3 ? 'cs101' : 'cs-202', assignmentId: i % 3 ? sum.id : other.id, student: `s${i}`, files, idempotencyKey: `k${i}` })).submission.id);
  }
  for (const row of await store.pendingOutbox(8)) await store.markOutboxDispatched(row.id);
  await store.claimOutbox(1, 60_000);
  await store.startAttempt(ids[0]!, 1, by('w1'));
  await store.recordResult(ids[0]!, 1, { score: 0.5, output: 'a\u0000b', tests: [{ name: 'ü' }] }, { verdict: 'SV', score: 0.5, maxScore: 2, gradable: true,
    incidents: [{ syscall: 'ptrace', evidenceSha256: evidenceBlob.sha256, evidencePath: '/var/lib/gradebox/evidence/x.tar', record: { nr: 101 } }] });
  await store.requestRegrade(ids[0]!);
  await store.recordResult(ids[1]!, 1, { score: 2 }, { verdict: 'AC', score: 2, maxScore: 2, gradable: true, startedBy: by('w2') });
  await store.recordFailure(ids[2]!, 1, 'no source', 'E_SUBMISSION_NO_SOURCE');
  await store.appendEvent(ids[3]!, 'test', { name: 't1', verdict: 'AC' });
  return { secret, big, evidence };
}

/** What the store answers about everything it holds, for comparing two stores. */
async function everything(store: Store): Promise<unknown> {
  const courses = await store.listCourses();
  const perCourse = [];
  for (const course of courses) {
    const submissions = await store.listSubmissions({ courseId: course.id, limit: 1000 });
    const details = [];
    for (const s of submissions) {
      const files = await store.listSubmissionFiles(s.id);
      details.push({ s, files, contents: await Promise.all(files.map(async (f) => sha256(bytesOf(await store.getBlob(f.sha256))))),
        events: await store.listEvents(s.id), gradings: await store.listGradings(s.id) });
    }
    perCourse.push({ course, keys: await store.listApiKeys(course.id), assignments: await store.listAssignments(course.id), details });
  }
  return { perCourse, incidents: await store.listIncidents({}), outbox: await store.pendingOutbox(100),
    byStatus: await store.countSubmissionsByStatus(), byVerdict: await store.countResultsByVerdict() };
}

function skipUnlessInstalled(name: string, body: () => Promise<void>): void {
  test(name, async () => {
    if (!installed) {
      process.stdout.write(`skipped (PostgreSQL is not installed; infra/install.sh installs it): ${name}\n`);
      return;
    }
    await body();
  });
}

skipUnlessInstalled('a populated store moves over whole: the same answers, keys still work, ids go on, big blobs copied and checked; counts and digests printed', async () => {
  const dir = fixture.dataDir();
  const sqlite = await fixture.open(dir);
  const { secret, big, evidence } = await populate(sqlite);
  const before = await everything(sqlite);
  const url = await server.createDatabase();
  const blobDir = join(dir, 'shared-blobs'); // another folder than the source's blobs/, so the files are copied
  const { status, out, err } = migrate('--from', `sqlite:${dir}`, '--to', url, '--blobs', blobDir);
  assert.is(status, 0, err);
  for (const table of COPIED_TABLES) assert.match(out, new RegExp(`^${table} +\\d+  [0-9a-f]{64}$`, 'm'), `${table} reported`);
  assert.match(out, /^submissions +12 /m);
  assert.match(out, /^blob files +3 /m, 'the big file, the evidence and the grader snapshots\' tars');

  const moved = await openStore({ dataDir: fixture.dataDir(), databaseUrl: url, blobDir });
  try {
    assert.equal(await everything(moved), before);
    assert.is((await moved.authenticateKey(secret))?.courseId, 'cs101');
    const evidenceBlob = await moved.getBlob(sha256(evidence));
    assert.equal(bytesOf(evidenceBlob), evidence);
    assert.ok(evidenceBlob?.path?.startsWith(blobDir), 'a big blob is a file in the target\'s folder');
    assert.equal(bytesOf(await moved.getBlob(sha256(big))), big);
    // Ids go on after the largest SQLite gave, dispatched outbox rows included.
    const raw = new Database(join(dir, 'gradebox.sqlite'), { readonly: true });
    const lastOutbox = raw.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'").pluck().get() as number;
    raw.close();
    const assignment = (await moved.findAssignment('cs101', 'sum'))!;
    const added = await submit(moved, assignment, { 'main.c': 'new' }, { student: 'late' });
    const row = (await moved.pendingOutbox(100)).find((r) => r.submissionId === added.submission.id)!;
    assert.ok(row.id > lastOutbox, `outbox id ${row.id} after ${lastOutbox}`);
    assert.is((await moved.listSubmissions({ courseId: 'cs101', limit: 1 }))[0]?.id, added.submission.id, 'newest first, after the moved ones');
  } finally {
    await moved.close();
  }
});

skipUnlessInstalled('a target that holds data is refused, and so is a source with a table migrate does not know; nothing is copied', async () => {
  const dir = fixture.dataDir();
  const sqlite = await fixture.open(dir);
  await populate(sqlite);
  const url = await server.createDatabase();
  assert.is(migrate('--from', `sqlite:${join(dir, 'gradebox.sqlite')}`, '--to', url).status, 0);
  const again = migrate('--from', `sqlite:${dir}`, '--to', url);
  assert.equal([again.status, again.out], [2, '']);
  assert.match(again.err, /already holds data \(table courses\).*\[E_MIGRATE_TARGET_NOT_EMPTY\]/);

  const raw = new Database(join(dir, 'gradebox.sqlite'));
  raw.exec('CREATE TABLE webhooks (id INTEGER PRIMARY KEY, url TEXT)');
  raw.close();
  const fresh = await server.createDatabase();
  const unknown = migrate('--from', `sqlite:${dir}`, '--to', fresh);
  assert.is(unknown.status, 2);
  assert.match(unknown.err, /a table "webhooks" that gradebox migrate does not copy.*\[E_MIGRATE_UNKNOWN_TABLE\]/);
  const target = await openStore({ dataDir: fixture.dataDir(), databaseUrl: fresh });
  try {
    assert.equal(await target.listCourses(), [], 'nothing copied');
  } finally {
    await target.close();
  }
  assert.match(migrate('--from', `sqlite:${join(dir, 'nothing-here')}`, '--to', fresh).err, /no SQLite store at .*\[E_MIGRATE_SOURCE\]/);
  assert.match(migrate('--from', dir, '--to', fresh).err, /--from must be sqlite:PATH/);
  assert.match(migrate('--from', `sqlite:${dir}`, '--to', 'mysql://db/x').err, /--to must be a postgres:\/\/ URL/);
});

test.run();
