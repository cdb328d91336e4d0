// Grader snapshots in PostgreSQL: a row per grader digest naming the blob that holds its tar, and
// what the tar holds. Rows are never changed or removed: a job queued before its assignment was
// added again still names the grader it was queued with.
import { checkSha256 } from './input-checks.js';
import { now, row, type Queryable } from './pg-connection.js';
import type { PgContext } from './pg-context.js';
import { putBlob } from './pg-blob-contents.js';
import { checkSnapshot } from './snapshot-checks.js';
import type { GraderManifest, GraderSnapshot } from './store.js';
import type { StoreOperations } from './store-operations.js';

interface SnapshotRow {
  digest: string;
  blob_sha256: string;
  size: number;
  manifest_json: string;
  created_at: string;
}

const toSnapshot = (r: SnapshotRow): GraderSnapshot => ({
  digest: r.digest, blobSha256: r.blob_sha256, size: r.size, manifest: JSON.parse(r.manifest_json) as GraderManifest, createdAt: r.created_at,
});

async function findSnapshot(db: Queryable, digest: string): Promise<GraderSnapshot | null> {
  checkSha256('grader digest', digest);
  const found = await row<SnapshotRow>(db, 'SELECT * FROM grader_snapshots WHERE digest = $1', [digest]);
  return found ? toSnapshot(found) : null;
}

export async function hasGraderSnapshot(db: Queryable, digest: string): Promise<boolean> {
  return (await row(db, 'SELECT 1 FROM grader_snapshots WHERE digest = $1', [digest])) !== undefined;
}

export function graderSnapshotOperations(context: PgContext) {
  const { pool } = context;
  return {
    /** Keeps the snapshot's tar as a blob and records it, unless that digest has one (the first stays). */
    async addGraderSnapshot(snapshot) {
      checkSnapshot(snapshot);
      const blob = await putBlob(context, snapshot.tar);
      await pool.query(`INSERT INTO grader_snapshots (digest, blob_sha256, size, manifest_json, created_at) VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (digest) DO NOTHING`, [snapshot.digest, blob.sha256, blob.size, JSON.stringify(snapshot.manifest), now()]);
      return (await findSnapshot(pool, snapshot.digest))!;
    },

    findGraderSnapshot: (graderDigest) => findSnapshot(pool, graderDigest),
  } satisfies Partial<StoreOperations>;
}
