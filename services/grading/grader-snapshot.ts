// A grader frozen when its assignment is added: a tar of grader.yaml and exactly the files its
// definition names, kept in the store so that the API and the workers never read the instructor's
// folder again. The folder is read once, by the user who runs the command (before it drops to the
// service account), with no link followed on the way to each file (the folder may be someone
// else's); the copy is loaded again and must give the same digest: what is stored is what was
// checked, and what the workers will check.
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, mkdirSync, mkdtempSync, readSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { Writable } from 'node:stream';

import { UserError } from '../common/errors.js';
import { openWithoutLinks } from '../common/no-follow.js';
import { writeTar } from '../intake/tar-pack.js';
import type { GraderFile, GraderManifest } from '../store/store.js';
import type { GraderDefinition } from './grader-definition.js';
import { referencedFiles } from './grader-digest.js';
import { sourceExtensions } from './program-language.js';
import { loadGrader } from './load-grader.js';

export interface MadeSnapshot {
  /** The folder it was taken from (symlinks resolved): for people, nothing reads it again. */
  sourceDir: string;
  /** The grader's digest (`loadGrader`), the same for the folder and the snapshot. */
  digest: string;
  /** Entries sorted by path, fixed owners and times: the same grader always gives the same bytes. */
  tar: Buffer;
  manifest: GraderManifest;
}

/** Reads, checks and freezes the grader in `dir`; its files may come to `maxBytes` at most. */
export async function snapshotGrader(dir: string, maxBytes: number): Promise<MadeSnapshot> {
  const definition = loadGrader(dir); // names the bad field of a bad grader.yaml
  const copy = mkdtempSync(join(tmpdir(), 'gradebox-snapshot-'));
  try {
    const files = copyNamedFiles(definition, copy, maxBytes);
    const frozen = loadGrader(copy);
    if (frozen.digest !== definition.digest) throw changed(definition.dir, 'its files changed');
    const tar = await tarOf(copy, files);
    return { sourceDir: definition.dir, digest: frozen.digest, tar, manifest: manifestOf(frozen, files) };
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

/** What the snapshot holds, and what the API needs to know of the grader without reading it (language, tests). */
function manifestOf(definition: GraderDefinition, files: GraderFile[]): GraderManifest {
  return {
    tests: definition.tests.map((t) => t.name),
    files,
    submissions: {
      language: definition.languages.join(' or '),
      extensions: sourceExtensions(definition.languages),
      entry: definition.entry ?? null,
    },
    mode: definition.mode,
    testDetails: definition.tests.map((t) => ({ name: t.name, visibility: t.visibility, points: t.points, checker: t.checker })),
  };
}

function changed(dir: string, what: string): UserError {
  return new UserError('E_GRADER_CHANGED', `${dir}: ${what} while it was being read; run the command again once nobody edits it`);
}

/** grader.yaml and every file it names, as paths relative to the folder, sorted. */
function namedFiles(definition: GraderDefinition): string[] {
  const rels = referencedFiles(definition).map((path) => relative(definition.dir, path).split(sep).join('/'));
  return [...new Set(['grader.yaml', ...rels])].sort();
}

/** Copies the named files into `copy` (a fresh private folder); returns what each holds. */
function copyNamedFiles(definition: GraderDefinition, copy: string, maxBytes: number): GraderFile[] {
  let total = 0;
  return namedFiles(definition).map((path) => {
    const { bytes, executable } = readWithoutLinks(definition.dir, path);
    total += bytes.length;
    if (total > maxBytes) {
      throw new UserError('E_GRADER_TOO_LARGE', `${definition.dir}: the files grader.yaml names come to more than ${maxBytes} bytes, the most a grader may hold; keep large data out of the tests`);
    }
    mkdirSync(dirname(join(copy, path)), { recursive: true });
    writeFileSync(join(copy, path), bytes, { flag: 'wx', mode: executable ? 0o755 : 0o644 });
    return { path, sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
  });
}

/**
 * The bytes of `path` in the folder `root`: a link inside the folder is the instructor's to use,
 * so the file's real path is found first (and must stay inside), then opened one name at a time
 * without following anything. A link swapped in meanwhile is refused, never followed.
 */
function readWithoutLinks(root: string, path: string): { bytes: Buffer; executable: boolean } {
  let fd: number;
  try {
    const real = realpathSync(join(root, path));
    const inside = relative(root, real);
    if (inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside)) throw changed(root, `${path} left the folder`);
    fd = openWithoutLinks(real, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw changed(root, `${path} became a link or went away (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw changed(root, `${path} is no longer a regular file`);
    const bytes = Buffer.alloc(st.size);
    let at = 0;
    for (let n = -1; n !== 0 && at < bytes.length; at += n) n = readSync(fd, bytes, at, bytes.length - at, null);
    if (at !== st.size) throw changed(root, `${path} shrank`);
    return { bytes, executable: (st.mode & 0o111) !== 0 };
  } finally {
    closeSync(fd);
  }
}

async function tarOf(copy: string, files: GraderFile[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const sink = new Writable({ write(chunk: Buffer, _encoding, done) { chunks.push(chunk); done(); } });
  await writeTar(files.map((file) => ({ path: file.path, diskPath: join(copy, file.path) })), sink);
  return Buffer.concat(chunks);
}
