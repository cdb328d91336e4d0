// Copies the blob files of a store's folder (`blobs/ab/cdef…`) into another blob folder, each checked
// against the digest it is named by as it is stored again. Nothing but a regular file under a
// digest's name is read, and no link is followed: the folder belongs to the service account.
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { InternalError } from '../common/errors.js';
import { isSha256Hex } from '../protocol/digest.js';
import type { BlobStore } from './blob-store.js';

export interface CopiedBlobFiles {
  files: number;
  bytes: number;
  /** sha256 of the sorted digests copied: the same list on both sides. */
  digest: string;
}

/** The digests of the blob files under `root`, sorted; anything else there (temp files, links) is left out. */
export function blobFileDigests(root: string): string[] {
  const digests: string[] = [];
  for (const head of readdirSync(root).filter((name) => /^[0-9a-f]{2}$/.test(name))) {
    if (!lstatSync(join(root, head)).isDirectory()) continue;
    for (const tail of readdirSync(join(root, head))) {
      const digest = head + tail;
      if (isSha256Hex(digest) && lstatSync(join(root, head, tail)).isFile()) digests.push(digest);
    }
  }
  return digests.sort();
}

/** Stores every blob file of `sourceRoot` in `target` (content checked against its name); a file whose content differs stops the copy. */
export async function copyBlobFiles(sourceRoot: string, target: BlobStore): Promise<CopiedBlobFiles> {
  const digests = blobFileDigests(sourceRoot);
  let bytes = 0;
  for (const digest of digests) {
    const path = join(sourceRoot, digest.slice(0, 2), digest.slice(2));
    try {
      bytes += (await target.put(path, digest)).size;
    } catch (error) {
      throw new InternalError('E_MIGRATE_BLOB', `the blob file ${path} could not be copied (${(error as Error).message}); it may be damaged: restore it from a backup`, { cause: error });
    }
  }
  return { files: digests.length, bytes, digest: createHash('sha256').update(digests.join('\n')).digest('hex') };
}
