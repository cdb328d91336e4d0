// The read-only layers a sandbox's root is composed from: a skeleton (mount points and the
// merged-/usr symlinks), a curated /etc, and host directories bound read-only.
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Bind {
  /** Host path. */
  src: string;
  /** Absolute path inside the sandbox. */
  dst: string;
}

/** What the launcher needs to build a sandbox's file system. */
export interface RootLayout {
  /** Skeleton directory, the overlay root's read-only lower layer. */
  skeleton: string;
  /** Host directories bound read-only into the root. */
  binds: Bind[];
  /** sha256 of everything above, for provenance. */
  digest: string;
}

/** Top-level host directories of the default runtime layer. On merged-/usr hosts most are symlinks. */
const HOST_TOP_DIRS = ['usr', 'bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32'];

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

export function buildEtcLayer(layersDir: string, hostEtc = '/etc'): string {
  return contentAddressed(layersDir, 'etc', (dir) => {
    for (const [name, text] of Object.entries(ETC_GENERATED)) writeFileSync(join(dir, name), text, { mode: 0o644 });
    symlinkSync('/usr/share/zoneinfo/UTC', join(dir, 'localtime'));
    for (const name of ETC_FROM_HOST) {
      const src = join(hostEtc, name);
      if (existsSync(src) || isSymlink(src)) cpSync(src, join(dir, name), { recursive: true, verbatimSymlinks: true });
    }
  });
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Mount points for the binds, plus host top-level symlinks (e.g. /bin -> usr/bin) replicated. */
export function buildSkeleton(layersDir: string, mountPoints: string[], links: Record<string, string>): string {
  return contentAddressed(layersDir, 'skel', (dir) => {
    for (const name of ['box', 'tmp', 'proc', 'dev', ...mountPoints]) mkdirSync(join(dir, name), { recursive: true, mode: 0o755 });
    for (const [name, target] of Object.entries(links)) symlinkSync(target, join(dir, name));
  });
}

/** The default root: the host's /usr (and /bin, /lib*…), a curated /etc, nothing else. */
export function defaultRootLayout(layersDir: string, extraBinds: Bind[] = []): RootLayout {
  const binds: Bind[] = [];
  const links: Record<string, string> = {};
  for (const name of HOST_TOP_DIRS) {
    const src = `/${name}`;
    if (isSymlink(src)) links[name] = readlinkSync(src);
    else if (existsSync(src)) binds.push({ src, dst: src });
  }
  binds.push({ src: buildEtcLayer(layersDir), dst: '/etc' }, ...extraBinds);
  const skeleton = buildSkeleton(layersDir, binds.map((b) => b.dst.slice(1)), links);
  const digest = createHash('sha256').update(JSON.stringify({ skeleton, binds })).digest('hex');
  return { skeleton, binds, digest };
}
