// Blobs in PostgreSQL's store: small ones (up to SMALL_BLOB_BYTES: most submissions' files, most
// grader snapshots and evidence archives, however they arrive) kept in the database, where every API process sees them; bigger ones are files
// of the BlobStore, in a folder the API processes share (a shared mount when they run on several hosts).
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';

import { UserError } from '../common/errors.js';
import { SMALL_BLOB_BYTES, smallContent, tooLarge } from './blob-store.js';
import { checkSha256 } from './input-checks.js';
import { row, rows, type Queryable } from './pg-connection.js';
import type { PgContext } from './pg-context.js';
import type { BlobSource, StoredBlob } from './store.js';
import type { StoreOperations } from './store-operations.js';

/** The sizes of those of `sha256s` kept in the database. */
export async function blobContentSizes(db: Queryable, sha256s: string[]): Promise<Map<string, number>> {
  if (sha256s.length === 0) return new Map();
  const found = await rows<{ sha256: string; size: number }>(db, 'SELECT sha256, length(content) AS size FROM blob_contents WHERE sha256 = ANY($1)', [sha256s]);
  return new Map(found.map((r) => [r.sha256, r.size]));
}

/** Stores the content once (called inside the transaction of the submission that brings it); true when this call stored it. */
export async function addBlobContent(db: Queryable, sha256: string, content: Buffer): Promise<boolean> {
  const inserted = await db.query('INSERT INTO blob_contents (sha256, content) VALUES ($1, $2) ON CONFLICT (sha256) DO NOTHING', [sha256, content]);
  return inserted.rowCount === 1;
}

/**
 * Reads a stream until it ends or passes SMALL_BLOB_BYTES: its whole content when small, else a
 * stream of all of it (what was read, then the rest) for the file store.
 */
async function takeSmall(stream: Readable, maxBytes: number): Promise<{ small: Buffer } | { whole: Readable }> {
  const chunks: Buffer[] = [];
  let size = 0;
  const iterator: AsyncIterator<Buffer | string> = stream[Symbol.asyncIterator]();
  while (size <= SMALL_BLOB_BYTES) {
    const next = await iterator.next();
    if (next.done) {
      if (size > maxBytes) throw tooLarge(maxBytes);
      return { small: Buffer.concat(chunks) };
    }
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    chunks.push(chunk);
    size += chunk.length;
  }
  return { whole: Readable.from((async function* rest() {
    yield* chunks;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  })()) };
}

/** The whole content of a small source, or the source (a stream read so far: all of it) for the file store. */
async function smallOrWhole(source: BlobSource, maxBytes: number): Promise<{ small: Buffer } | { whole: BlobSource }> {
  if (source instanceof Readable) return takeSmall(source, maxBytes);
  const small = smallContent(source, maxBytes);
  return small ? { small } : { whole: source };
}

/** Stores `source` under its sha256: in the database when it is small, else as a file. */
export async function putBlob({ pool, blobs, options }: PgContext, source: BlobSource, expectedSha256?: string): Promise<StoredBlob> {
  if (expectedSha256 !== undefined) checkSha256('expected blob digest', expectedSha256);
  const content = await smallOrWhole(source, options.maxBlobBytes);
  if ('whole' in content) return blobs.put(content.whole, expectedSha256);
  const sha256 = createHash('sha256').update(content.small).digest('hex');
  if (expectedSha256 !== undefined && sha256 !== expectedSha256) {
    throw new UserError('E_BLOB_DIGEST_MISMATCH', `the content sent has sha256 ${sha256}, not the ${expectedSha256} it was sent as; send the file again unchanged`);
  }
  return { sha256, size: content.small.length, created: await addBlobContent(pool, sha256, content.small) };
}

export function blobOperations(context: PgContext) {
  const { pool, blobs } = context;
  return {
    putBlob: (source, expectedSha256) => putBlob(context, source, expectedSha256),

    async getBlob(sha256) {
      checkSha256('blob digest', sha256);
      const found = await row<{ content: Buffer }>(pool, 'SELECT content FROM blob_contents WHERE sha256 = $1', [sha256]);
      return found ? { size: found.content.length, content: found.content } : blobs.find(sha256);
    },
  } satisfies Partial<StoreOperations>;
}
