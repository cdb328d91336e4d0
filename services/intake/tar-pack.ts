// Streams a list of files as a plain tar (what workers download, a grader snapshot): regular files only, read
// without following links, or bytes held in memory; fixed owners and times, so the same files
// give the same bytes.
import { constants, createReadStream, fstatSync, openSync, closeSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { pack } from 'tar-stream';
import type { Writable } from 'node:stream';

import { InternalError } from '../common/errors.js';

/** A file of the archive: its path inside (relative, posix), and where its bytes are on this host or the bytes. */
export type PackEntry = { path: string; diskPath: string; content?: undefined } | { path: string; content: Buffer; diskPath?: undefined };

/** What every entry's header has alike. */
const FIXED = { mtime: new Date(0), uid: 0, gid: 0, type: 'file' as const };

/** Writes the tar of `entries` to `out` and ends it. */
export async function writeTar(entries: PackEntry[], out: Writable): Promise<void> {
  const archive = pack();
  const writing = pipeline(archive, out);
  for (const entry of entries) {
    if (entry.content) {
      await new Promise<void>((resolve, reject) => {
        archive.entry({ ...FIXED, name: entry.path, size: entry.content.length, mode: 0o644 }, entry.content, (error) => (error ? reject(error) : resolve()));
      });
      continue;
    }
    const fd = openSync(entry.diskPath, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) throw new InternalError('E_PACK', `${entry.diskPath} is not a regular file`);
      const header = { ...FIXED, name: entry.path, size: st.size, mode: st.mode & 0o111 ? 0o755 : 0o644 };
      await new Promise<void>((resolve, reject) => {
        const sink = archive.entry(header, (error) => (error ? reject(error) : resolve()));
        createReadStream('', { fd, autoClose: false }).on('error', reject).pipe(sink);
      });
    } finally {
      closeSync(fd);
    }
  }
  archive.finalize();
  await writing;
}
