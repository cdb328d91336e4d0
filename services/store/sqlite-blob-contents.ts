// Blobs in SQLite's store: small ones kept in the database (the files of most submissions), stored
// in the transaction of the submission that brings them, so one commit makes both durable with no
// file made per upload; bigger ones are files of the BlobStore.
import type { SqliteDatabase } from './sqlite-connection.js';
import type { SqliteContext } from './sqlite-context.js';
import type { StoreOperations } from './store-operations.js';

function blobContent(db: SqliteDatabase, sha256: string): Buffer | null {
  return (db.prepare('SELECT content FROM blob_contents WHERE sha256 = ?').pluck().get(sha256) as Buffer | undefined) ?? null;
}

export function blobContentSize(db: SqliteDatabase, sha256: string): number | null {
  return (db.prepare('SELECT length(content) FROM blob_contents WHERE sha256 = ?').pluck().get(sha256) as number | undefined) ?? null;
}

/** Called inside the transaction of the submission that brings the content; stored once. */
export function addBlobContent(db: SqliteDatabase, sha256: string, content: Buffer): void {
  db.prepare('INSERT INTO blob_contents (sha256, content) VALUES (?, ?) ON CONFLICT (sha256) DO NOTHING').run(sha256, content);
}

export function blobOperations({ db, blobs }: SqliteContext) {
  return {
    putBlob: (source, expectedSha256) => blobs.put(source, expectedSha256),

    getBlob(sha256) {
      const content = blobContent(db, sha256);
      // A malformed digest is refused by find(), before it becomes a path.
      return content ? { size: content.length, content } : blobs.find(sha256);
    },
  } satisfies Partial<StoreOperations>;
}
