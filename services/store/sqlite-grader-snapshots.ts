// Grader snapshots in SQLite: a row per grader digest naming the blob that holds its tar, and what
// the tar holds (to tell an instructor what changed). Rows are never changed or removed: a job
// queued before its assignment was added again still names the grader it was queued with.
import { UserError } from '../common/errors.js';
import { checkSha256, quote } from './input-checks.js';
import { now, type SqliteDatabase } from './sqlite-connection.js';
import type { SqliteContext } from './sqlite-context.js';
import type { GraderManifest, GraderSnapshot, NewGraderSnapshot, StoredBlob, SubmissionRule } from './store.js';
import type { StoreOperations } from './store-operations.js';

interface SnapshotRow {
  digest: string;
  blob_sha256: string;
  size: number;
  manifest_json: string;
  created_at: string;
}

const toSnapshot = (row: SnapshotRow): GraderSnapshot => ({
  digest: row.digest, blobSha256: row.blob_sha256, size: row.size, manifest: JSON.parse(row.manifest_json) as GraderManifest, createdAt: row.created_at,
});

function isSubmissionRule(rule: SubmissionRule | undefined): boolean {
  return rule === undefined || (typeof rule?.language === 'string' && Array.isArray(rule.extensions)
    && rule.extensions.every((e) => typeof e === 'string') && (rule.entry === null || typeof rule.entry === 'string'));
}

function checkManifest(manifest: GraderManifest): void {
  const fine = Array.isArray(manifest?.tests) && manifest.tests.every((t) => typeof t === 'string')
    && Array.isArray(manifest.files) && manifest.files.every((f) => typeof f?.path === 'string' && typeof f.sha256 === 'string' && Number.isSafeInteger(f.size))
    && isSubmissionRule(manifest.submissions);
  if (!fine) throw new UserError('E_BAD_INPUT', 'a grader snapshot\'s manifest must list its tests (names) and files ({ path, sha256, size }), and may say what submissions hold ({ language, extensions, entry })');
}

/** Refuses a malformed snapshot before its tar is stored. */
function checkSnapshot(snapshot: NewGraderSnapshot): void {
  checkSha256('grader digest', snapshot.digest);
  checkManifest(snapshot.manifest);
  if (!Buffer.isBuffer(snapshot.tar)) throw new UserError('E_BAD_INPUT', `the snapshot of grader ${quote(snapshot.digest)} is not bytes`);
}

function findSnapshot(db: SqliteDatabase, digest: string): GraderSnapshot | null {
  checkSha256('grader digest', digest);
  const row = db.prepare('SELECT * FROM grader_snapshots WHERE digest = ?').get(digest) as SnapshotRow | undefined;
  return row ? toSnapshot(row) : null;
}

/** Records the snapshot whose tar is stored as `blob`, unless that digest has one (the first stays). */
function recordSnapshot(db: SqliteDatabase, snapshot: NewGraderSnapshot, blob: StoredBlob): GraderSnapshot {
  db.prepare(`INSERT INTO grader_snapshots (digest, blob_sha256, size, manifest_json, created_at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (digest) DO NOTHING`).run(snapshot.digest, blob.sha256, blob.size, JSON.stringify(snapshot.manifest), now());
  return findSnapshot(db, snapshot.digest)!;
}

export function hasGraderSnapshot(db: SqliteDatabase, digest: string): boolean {
  return db.prepare('SELECT 1 FROM grader_snapshots WHERE digest = ?').pluck().get(digest) !== undefined;
}

export function graderSnapshotOperations({ db, blobs }: SqliteContext) {
  return {
    async addGraderSnapshot(snapshot) {
      checkSnapshot(snapshot);
      const blob = await blobs.put(snapshot.tar);
      return recordSnapshot(db, snapshot, blob);
    },

    findGraderSnapshot: (graderDigest) => findSnapshot(db, graderDigest),
  } satisfies Partial<StoreOperations>;
}
