// The read-only layers a sandbox's root is composed from: a skeleton (mount points, the
// merged-/usr symlinks and a curated /etc), and an allowlist of host directories bound read-only.
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface Bind {
  /** Host path. */
  src: string;
  /** Absolute path inside the sandbox; the default layout binds each at its own host path. */
  dst: string;
}

/** What the launcher needs to build a sandbox's file system. */
export interface RootLayout {
  /** Skeleton directory, the overlay root's read-only lower layer. */
  skeleton: string;
  /**
   * Host directories (or files) bound read-only into the root. At the same path as on the host,
   * so that the sandbox's /proc/self/mountinfo names no host path it does not see anyway.
   */
  binds: Bind[];
  /** sha256 of everything above, for provenance. */
  digest: string;
}

/** Top-level host directories of the default root. On merged-/usr hosts they are symlinks into /usr. */
const HOST_TOP_DIRS = ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32'];

/**
 * What of the host's /usr a sandbox sees: what gcc, g++, python3, java (OpenJDK under /usr/lib/jvm)
 * and node need. Not /usr/local (whatever an administrator installed by hand would be readable by
 * every sandbox) and not /usr/src (kernel and package sources), nor /usr/games or /usr/etc.
 */
const HOST_USR_DIRS = ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32', 'libexec', 'share', 'include'];

/** Where nodejs.org's builds put node: under /usr/local, which the sandbox does not see. */
const NODE_IN_USR_LOCAL = 'usr/local/bin/node';

/** Host /etc entries a runtime may need; nothing else of the host's /etc is visible. */
const ETC_FROM_HOST = [
  'ld.so.cache', 'ld.so.conf', 'ld.so.conf.d', // the dynamic linker's search path
  'alternatives', // /usr/bin/java and friends are links through here
  'java-17-openjdk', 'java-21-openjdk', // the JDK keeps its security and jvm config here
  'os-release', 'mime.types',
];

/** Generated /etc files of a runtime layer: just enough for libc's user, group and host lookups. */
export const ETC_GENERATED: Readonly<Record<string, string>> = {
  passwd: 'root:x:0:0:root:/root:/bin/sh\nsandbox:x:1000:1000:gradebox sandbox:/box:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n',
  group: 'root:x:0:\nsandbox:x:1000:\nnogroup:x:65534:\n',
  hosts: '127.0.0.1\tlocalhost gradebox\n::1\tlocalhost ip6-localhost ip6-loopback\n',
  hostname: 'gradebox\n',
  'nsswitch.conf': 'passwd: files\ngroup: files\nshadow: files\nhosts: files\nnetworks: files\nprotocols: files\nservices: files\n',
  'resolv.conf': '# no network inside the sandbox\n',
};

/** Hashes a directory tree: names, types, modes, file contents and link targets, in sorted order. */
export function hashTree(root: string): string {
  const hash = createHash('sha256');
  const walk = (dir: string, rel: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const st = lstatSync(path);
      hash.update(`${rel}/${name}\0${st.mode}\0`);
      if (st.isSymbolicLink()) hash.update(readlinkSync(path));
      else if (st.isFile()) hash.update(readFileSync(path));
      else if (st.isDirectory()) walk(path, `${rel}/${name}`);
      hash.update('\0');
    }
  };
  walk(root, '');
  return hash.digest('hex');
}

/**
 * Builds a directory with `fill`, then keeps it under `layersDir/<kind>-<digest>`.
 * An identical layer built earlier is reused, so layers are immutable and shared by all runs.
 */
export function contentAddressed(layersDir: string, kind: string, fill: (dir: string) => void): string {
  mkdirSync(layersDir, { recursive: true, mode: 0o755 });
  const building = mkdtempSync(join(layersDir, `.${kind}-`));
  try {
    chmodSync(building, 0o755); // mkdtemp makes it 0700; the sandbox reads it as "other"

    fill(building);
    const final = join(layersDir, `${kind}-${hashTree(building).slice(0, 32)}`);
    if (existsSync(final)) return final;
    renameSync(building, final);
    return final;
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
}

/** Fills `dir` as the sandbox's /etc: the generated files, and the host entries it may need. */
function fillEtc(dir: string, hostEtc: string): void {
  for (const [name, text] of Object.entries(ETC_GENERATED)) writeFileSync(join(dir, name), text, { mode: 0o644 });
  symlinkSync('/usr/share/zoneinfo/UTC', join(dir, 'localtime'));
  for (const name of ETC_FROM_HOST) {
    const src = join(hostEtc, name);
    if (existsSync(src) || isSymlink(src)) cpSync(src, join(dir, name), { recursive: true, verbatimSymlinks: true });
  }
}

/** The sandbox's /etc as a layer of its own (for bubblewrap in `gradebox bench`). */
export function buildEtcLayer(layersDir: string, hostEtc = '/etc'): string {
  return contentAddressed(layersDir, 'etc', (dir) => fillEtc(dir, hostEtc));
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** What a skeleton holds besides /etc: the shape of the root. Paths are relative to it. */
export interface SkeletonShape {
  /** Folders, mount points of directory binds among them. */
  dirs: string[];
  /** Empty files, the mount points of file binds. */
  files: string[];
  /** Symlinks (e.g. bin -> usr/bin on a merged-/usr host), path -> target. */
  links: Record<string, string>;
}

/** The overlay root's lower layer: the shape given, plus /etc (generated and curated, see fillEtc). */
export function buildSkeleton(layersDir: string, shape: SkeletonShape, hostEtc = '/etc'): string {
  return contentAddressed(layersDir, 'skel', (dir) => {
    for (const name of ['box', 'tmp', 'proc', 'dev', 'etc', ...shape.dirs]) mkdirSync(join(dir, name), { recursive: true, mode: 0o755 });
    fillEtc(join(dir, 'etc'), hostEtc);
    for (const name of shape.files) {
      mkdirSync(dirname(join(dir, name)), { recursive: true, mode: 0o755 });
      writeFileSync(join(dir, name), '', { mode: 0o644 });
    }
    for (const [name, target] of Object.entries(shape.links)) {
      mkdirSync(dirname(join(dir, name)), { recursive: true, mode: 0o755 });
      symlinkSync(target, join(dir, name));
    }
  });
}

/**
 * Adds a host path to the root: a symlink is replicated in the skeleton, a directory is bound at
 * its own path; a path the host lacks is left out.
 */
function addHostPath(path: string, shape: SkeletonShape, binds: Bind[]): void {
  if (isSymlink(path)) shape.links[path.slice(1)] = readlinkSync(path);
  else if (existsSync(path)) {
    binds.push({ src: path, dst: path });
    shape.dirs.push(path.slice(1));
  }
}

/**
 * Where `node` is, when the bound /usr has none but /usr/local/bin does (nodejs.org's builds):
 * only that one executable is bound, at its real path (it is self-contained: V8, libuv and
 * OpenSSL are linked in), with the link leading to it from /usr/local/bin (on the sandbox's PATH).
 * The rest of /usr/local stays hidden. Paths are relative to `hostRoot`; null when nothing is needed.
 */
export function nodeOutsideUsr(hostRoot = '/'): { bind: Bind; link: [string, string] | null } | null {
  const inUsrLocal = join(hostRoot, NODE_IN_USR_LOCAL);
  if (existsSync(join(hostRoot, 'usr/bin/node')) || !existsSync(inUsrLocal)) return null;
  const real = `/${realpathSync(inUsrLocal).slice(realpathSync(hostRoot).length).replace(/^\/+/, '')}`;
  const bind = { src: join(hostRoot, real), dst: real };
  return { bind, link: real === `/${NODE_IN_USR_LOCAL}` ? null : [NODE_IN_USR_LOCAL, real] };
}

/** The default root: the allowlisted host directories (/usr/bin, /usr/lib…, /bin, /lib*…), a curated /etc, nothing else. */
export function defaultRootLayout(layersDir: string): RootLayout {
  const binds: Bind[] = [];
  const shape: SkeletonShape = { dirs: [], files: [], links: {} };
  for (const name of HOST_TOP_DIRS) addHostPath(`/${name}`, shape, binds);
  for (const name of HOST_USR_DIRS) addHostPath(`/usr/${name}`, shape, binds);
  const node = nodeOutsideUsr();
  if (node) {
    binds.push(node.bind);
    shape.files.push(node.bind.dst.slice(1));
    if (node.link) shape.links[node.link[0]] = node.link[1];
  }
  const skeleton = buildSkeleton(layersDir, shape);
  const digest = createHash('sha256').update(JSON.stringify({ skeleton, binds })).digest('hex');
  return { skeleton, binds, digest };
}
