// Grader snapshots in SQLite: a row per grader digest naming the blob that holds its tar, and what
// the tar holds (to tell an instructor what changed). Rows are never changed or removed: a job
// queued before its assignment was added again still names the grader it was queued with.
import { checkSha256 } from './input-checks.js';
import { checkSnapshot } from './snapshot-checks.js';
import { now, type SqliteDatabase } from './sqlite-connection.js';
import type { SqliteContext } from './sqlite-context.js';
import type { GraderManifest, GraderSnapshot, NewGraderSnapshot, StoredBlob } from './store.js';
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
