// The minimal runtime layer of a compiled program: only its ELF interpreter and the shared
// libraries it needs (found from the ELF files themselves, never by running them), no toolchain.
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, symlinkSync, writeFileSync, type Stats } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';

import { InternalError, UserError } from '../common/errors.js';
import { readElf, type ElfInfo, type ElfMachine } from './elf-reader.js';
import { contentAddressed, ETC_GENERATED, hashTree, type RootLayout } from './layers.js';

export interface ElfRuntimeOptions {
  /**
   * Host directories searched, in order, for the shared libraries (the binary's own RPATH,
   * RUNPATH and $ORIGIN are ignored: a student's binary does not choose host paths).
   * @defaultValue the directories of `/etc/ld.so.conf` (and its includes), then the machine's
   * system directories (`/lib/x86_64-linux-gnu`, `/usr/lib/x86_64-linux-gnu`, `/lib`, `/usr/lib`,
   * `/lib64`, `/usr/lib64` on x86-64)
   */
  libraryDirs?: string[] | undefined;
}

interface MachineRuntime {
  /** PT_INTERP values we accept: the glibc loader's well-known paths. */
  loaders: string[];
  /** Where the loader looks without an ld.so.cache (Debian/Ubuntu first, then the lib64 style). */
  systemDirs: string[];
}

const RUNTIMES: Record<ElfMachine, MachineRuntime> = {
  x86_64: {
    loaders: ['/lib64/ld-linux-x86-64.so.2', '/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2'],
    systemDirs: ['/lib/x86_64-linux-gnu', '/usr/lib/x86_64-linux-gnu', '/lib', '/usr/lib', '/lib64', '/usr/lib64'],
  },
  aarch64: {
    loaders: ['/lib/ld-linux-aarch64.so.1', '/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1'],
    systemDirs: ['/lib/aarch64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/lib', '/usr/lib', '/lib64', '/usr/lib64'],
  },
};

const HOST_MACHINES: Partial<Record<string, ElfMachine>> = { x64: 'x86_64', arm64: 'aarch64' };

/** Distinct libraries of one program, all dependencies counted; a C++ program has five. */
export const MAX_LIBRARIES = 64;
/** A loader follows at most 40 links to resolve a path (path_resolution(7)). */
const MAX_LINK_HOPS = 40;
/** ld.so.conf `include` nesting and files read, and entries of a copied data folder. */
const MAX_CONF_DEPTH = 8;
const MAX_CONF_FILES = 256;
const MAX_TREE_ENTRIES = 256;
/** Bumped whenever what a layer holds changes, so old cache entries stop matching. */
const LAYER_FORMAT = 'elf-runtime-1';

/** A library name the loader looks up in its search path: no directories, no dot names. */
const LIBRARY_NAME = /^[A-Za-z0-9_][A-Za-z0-9._+-]{0,254}$/;
/** glibc dlopens this for pthread_exit/pthread_cancel unwinding and backtrace(), without DT_NEEDED. */
const GLIBC_DLOPENED = ['libgcc_s.so.1'];
/** Data glibc reads at run time under LANG=C.UTF-8 and TZ=UTC (the canonical environment). */
const GLIBC_DATA_TREES = ['/usr/lib/locale/C.utf8'];
const GLIBC_DATA_FILES = ['/usr/share/zoneinfo/UTC'];
/** What the launcher mounts over: the overlay lower layer must have these directories. */
const MOUNT_POINTS = ['box', 'tmp', 'proc', 'dev'];

/** One path of the layer: a host file copied there, or a link recreated verbatim. */
type Entry = { link: string } | { file: string; stat: Stats };

/** A host path resolved component by component, every link on the way recorded. */
interface HostChain {
  links: Array<{ path: string; target: string }>;
  real: string;
  stat: Stats;
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

/** Like the kernel's path walk, but recording each link so the layer can reproduce it; null if missing. */
function resolveChain(path: string): HostChain | null {
  const links: HostChain['links'] = [];
  let done = '';
  let todo = path.split('/').filter((p) => p !== '' && p !== '.');
  let stat = lstatSync('/');
  while (todo.length > 0) {
    const [part, ...rest] = todo as [string, ...string[]];
    todo = rest;
    if (part === '..') {
      done = done.slice(0, done.lastIndexOf('/'));
      stat = lstatSync(done || '/');
      continue;
    }
    const here = `${done}/${part}`;
    const st = lstatOrNull(here);
    if (!st) return null;
    if (st.isSymbolicLink()) {
      if (links.length === MAX_LINK_HOPS) throw new InternalError('E_ELF_HOST_LINKS', `${path}: more than ${MAX_LINK_HOPS} symbolic links on the host`);
      const target = readlinkSync(here);
      links.push({ path: here, target });
      if (isAbsolute(target)) done = '';
      todo = [...target.split('/').filter((p) => p !== '' && p !== '.'), ...todo];
      continue;
    }
    if (todo.length > 0 && !st.isDirectory()) return null;
    done = here;
    stat = st;
  }
  return { links, real: done || '/', stat };
}

/** Reads /etc/ld.so.conf like ldconfig: directories in order, `include` globs, comments. */
function ldSoConfDirs(file: string, depth = 0, seen = new Set<string>()): string[] {
  if (depth > MAX_CONF_DEPTH || seen.size >= MAX_CONF_FILES || seen.has(file)) return [];
  seen.add(file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const dirs: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '' || line.startsWith('hwcap ')) continue;
    const include = /^include\s+(.+)$/.exec(line);
    if (include?.[1]) {
      for (const pattern of include[1].split(/\s+/)) {
        for (const path of globFiles(isAbsolute(pattern) ? pattern : join(dirname(file), pattern))) dirs.push(...ldSoConfDirs(path, depth + 1, seen));
      }
    } else if (isAbsolute(line)) dirs.push(line.replace(/\/+$/, '') || '/');
  }
  return dirs;
}

/** The files a pattern with wildcards in its last component matches, sorted (as glob(3) does). */
function globFiles(pattern: string): string[] {
  const dir = dirname(pattern);
  const last = pattern.slice(dir.length + 1);
  if (!/[*?[]/.test(last)) return [pattern];
  const regex = new RegExp(`^${last.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}$`);
  try {
    return readdirSync(dir).filter((name) => regex.test(name) && !name.startsWith('.')).sort().map((name) => join(dir, name));
  } catch {
    return [];
  }
}

/** The host's library search path: ld.so.conf's directories, then the machine's system ones. */
export function defaultLibraryDirs(machine: ElfMachine): string[] {
  return [...new Set([...ldSoConfDirs('/etc/ld.so.conf'), ...RUNTIMES[machine].systemDirs])];
}

function hostMachine(): ElfMachine {
  const machine = HOST_MACHINES[process.arch];
  if (!machine) throw new InternalError('E_ELF_HOST_MACHINE', `no runtime layer for programs on a ${process.arch} host`);
  return machine;
}

/** The layer being planned: layer path → entry; a path can only ever mean one thing. */
class LayerPlan {
  readonly entries = new Map<string, Entry>();

  add(path: string, entry: Entry): void {
    const before = this.entries.get(path);
    if (before && JSON.stringify(describe(before)) !== JSON.stringify(describe(entry))) {
      throw new InternalError('E_ELF_HOST_CHANGED', `${path} resolved two ways while the runtime layer was planned (is the host being upgraded?)`);
    }
    this.entries.set(path, entry);
  }

  addChain(chain: HostChain): void {
    for (const { path, target } of chain.links) this.add(path, { link: target });
    if (chain.stat.isFile()) this.add(chain.real, { file: chain.real, stat: chain.stat });
  }

  /** A host folder of plain data (no links followed out of it), capped in entries. */
  addTree(path: string): void {
    const chain = resolveChain(path);
    if (!chain?.stat.isDirectory()) return;
    this.addChain(chain);
    let budget = MAX_TREE_ENTRIES;
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir).sort()) {
        if (--budget < 0) throw new InternalError('E_ELF_HOST_TREE', `${path} has more than ${MAX_TREE_ENTRIES} entries`);
        const child = join(dir, name);
        const st = lstatSync(child);
        if (st.isSymbolicLink()) this.add(child, { link: readlinkSync(child) });
        else if (st.isFile()) this.add(child, { file: child, stat: st });
        else if (st.isDirectory()) walk(child);
      }
    };
    walk(chain.real);
  }
}

/** The cache identity of an entry: a link's target, a file's host identity (path, size, mtime…). */
function describe(entry: Entry): unknown {
  if ('link' in entry) return { link: entry.link };
  const { size, mtimeMs, ctimeMs, ino, dev, mode } = entry.stat;
  return { file: entry.file, size, mtimeMs, ctimeMs, ino, dev, mode };
}

interface Found {
  dir: string;
  chain: HostChain;
  info: ElfInfo;
}

/** The first library of that name and machine in the search path; others are skipped, as ld.so does. */
function findLibrary(name: string, machine: ElfMachine, dirs: string[]): Found | null {
  for (const dir of dirs) {
    const chain = resolveChain(`${dir}/${name}`);
    if (!chain?.stat.isFile()) continue;
    let info: ElfInfo;
    try {
      info = readElf(chain.real, name);
    } catch (error) {
      if (error instanceof UserError) continue; // not a library for us (32-bit, other machine, broken)
      throw error;
    }
    if (info.machine === machine && info.type === 'dyn') return { dir, chain, info };
  }
  return null;
}

function checkName(name: string, by: string): void {
  if (!LIBRARY_NAME.test(name)) {
    throw new UserError('E_ELF_BAD_NEEDED', `${by}: asks for the shared library ${JSON.stringify(name)}, which is not a plain library name; link only with -l and standard libraries`);
  }
}

interface Wanted {
  name: string;
  by: string;
  optional: boolean;
}

/** Every library the program needs, its dependencies' dependencies included (breadth first, each once). */
function planLibraries(plan: LayerPlan, binary: ElfInfo, label: string, machine: ElfMachine, dirs: string[]): void {
  const queue: Wanted[] = binary.needed.map((name) => ({ name, by: label, optional: false }));
  const seen = new Set<string>();
  while (queue.length > 0) {
    const { name, by, optional } = queue.shift()!;
    checkName(name, by);
    if (seen.has(name)) continue;
    if (seen.size === MAX_LIBRARIES) throw new UserError('E_ELF_TOO_MANY_LIBRARIES', `${label}: needs more than ${MAX_LIBRARIES} shared libraries in all; link only the libraries it uses`);
    seen.add(name);
    const found = findLibrary(name, machine, dirs);
    if (!found) {
      if (optional) continue;
      throw new UserError('E_ELF_LIBRARY_NOT_FOUND', `${by}: needs the shared library ${name}, which the grading host does not provide; use only the standard C and C++ libraries (or link it statically)`);
    }
    plan.addChain(found.chain);
    if (!RUNTIMES[machine].systemDirs.includes(found.dir)) linkIntoSystemDir(plan, machine, name, `${found.dir}/${name}`);
    queue.push(...found.info.needed.map((n) => ({ name: n, by: name, optional: false })));
    if (name === 'libc.so.6') queue.push(...GLIBC_DLOPENED.map((n) => ({ name: n, by: name, optional: true })));
  }
}

/**
 * Without an ld.so.cache the loader searches only its system directories, so a library found
 * elsewhere (an ld.so.conf directory such as /usr/local/lib) gets a link in the first of them.
 */
function linkIntoSystemDir(plan: LayerPlan, machine: ElfMachine, name: string, target: string): void {
  for (const dir of RUNTIMES[machine].systemDirs) {
    const chain = resolveChain(dir);
    if (!chain?.stat.isDirectory()) continue;
    plan.addChain(chain);
    plan.add(`${chain.real}/${name}`, { link: target });
    return;
  }
  throw new InternalError('E_ELF_NO_SYSTEM_DIR', `none of ${RUNTIMES[machine].systemDirs.join(', ')} exists on this host`);
}

function planInterp(plan: LayerPlan, interp: string, label: string, machine: ElfMachine): void {
  const runtime = RUNTIMES[machine];
  if (!runtime.loaders.includes(interp)) {
    throw new UserError('E_ELF_BAD_INTERP', `${label}: asks to be started by ${JSON.stringify(interp)}, which is not the system's dynamic linker (${runtime.loaders.join(' or ')}); build it without --dynamic-linker`);
  }
  const chain = resolveChain(interp);
  if (!chain?.stat.isFile()) throw new InternalError('E_ELF_NO_LOADER', `${interp}: the dynamic linker is missing on this host`);
  plan.addChain(chain);
}

/** The entries of the layer: loader, libraries, and (for glibc) the locale and zone it reads. */
function planFor(binaryPath: string, options: ElfRuntimeOptions): LayerPlan {
  const label = basename(binaryPath);
  const binary = readElf(binaryPath, label);
  const machine = hostMachine();
  if (binary.machine !== machine) throw new UserError('E_ELF_WRONG_MACHINE', `${label}: is built for ${binary.machine}, but this grading host runs ${machine} programs; compile it here`);
  const plan = new LayerPlan();
  if (binary.interp === null) {
    if (binary.needed.length > 0) throw new UserError('E_ELF_MALFORMED', `${label}: names shared libraries but has no dynamic linker (PT_INTERP); rebuild it from source`);
    return plan; // static: needs nothing
  }
  planInterp(plan, binary.interp, label, machine);
  planLibraries(plan, binary, label, machine, options.libraryDirs ?? defaultLibraryDirs(machine));
  if ([...plan.entries.keys()].some((p) => p.endsWith('/libc.so.6'))) {
    for (const tree of GLIBC_DATA_TREES) plan.addTree(tree);
    for (const file of GLIBC_DATA_FILES) {
      const chain = resolveChain(file);
      if (chain?.stat.isFile()) plan.addChain(chain);
    }
  }
  return plan;
}

/** Creates each missing directory of `rel` under `root` with mode 0755, whatever the umask. */
function ensureDir(root: string, rel: string): void {
  let path = root;
  for (const part of rel.split('/').filter(Boolean)) {
    path = join(path, part);
    if (existsSync(path)) continue;
    mkdirSync(path);
    chmodSync(path, 0o755);
  }
}

function fillLayer(dir: string, plan: LayerPlan): void {
  for (const name of [...MOUNT_POINTS, 'etc']) ensureDir(dir, name);
  for (const [name, text] of Object.entries(ETC_GENERATED)) {
    writeFileSync(join(dir, 'etc', name), text);
    chmodSync(join(dir, 'etc', name), 0o644);
  }
  symlinkSync('/usr/share/zoneinfo/UTC', join(dir, 'etc', 'localtime'));
  for (const [path, entry] of [...plan.entries].sort(([a], [b]) => (a < b ? -1 : 1))) {
    ensureDir(dir, dirname(path));
    if ('link' in entry) {
      symlinkSync(entry.link, join(dir, path));
    } else {
      copyFileSync(entry.file, join(dir, path));
      chmodSync(join(dir, path), entry.stat.mode & 0o755); // never setuid, never writable by others
    }
  }
}

/** A layer built earlier for the same host files: index/<key>.json → layer name and digest. */
function cachedLayer(layersDir: string, key: string): RootLayout | null {
  try {
    const { layer, digest } = JSON.parse(readFileSync(join(layersDir, 'elf-index', `${key}.json`), 'utf8')) as { layer?: unknown; digest?: unknown };
    if (typeof layer !== 'string' || typeof digest !== 'string' || layer !== `elf-${digest.slice(0, 32)}`) return null;
    const skeleton = join(layersDir, layer);
    return existsSync(skeleton) ? { skeleton, binds: [], digest } : null;
  } catch {
    return null;
  }
}

function remember(layersDir: string, key: string, layout: RootLayout): void {
  const index = join(layersDir, 'elf-index');
  mkdirSync(index, { recursive: true, mode: 0o755 });
  const temp = join(index, `.${key}.${process.pid}`);
  writeFileSync(temp, JSON.stringify({ layer: basename(layout.skeleton), digest: layout.digest }));
  renameSync(temp, join(index, `${key}.json`)); // atomic: a reader sees the whole entry or none
}

function buildLayer(layersDir: string, plan: LayerPlan): RootLayout {
  let skeleton: string;
  try {
    skeleton = contentAddressed(layersDir, 'elf', (dir) => fillLayer(dir, plan));
  } catch (error) {
    // Another process renamed the same layer into place first: ours was identical, use theirs.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
    skeleton = contentAddressed(layersDir, 'elf', (dir) => fillLayer(dir, plan));
  }
  return { skeleton, binds: [], digest: hashTree(skeleton) };
}

/**
 * The root of a compiled program's runs: a read-only, content-addressed layer under `layersDir`
 * holding the program's ELF interpreter and the shared libraries it needs (found by reading the
 * ELF files, never by running them), at the paths the loader looks for them, plus the mount
 * points and a small generated /etc; no shell, no compiler. A static binary gets only those.
 * `digest` covers every file's content. The layer for one set of host files is built once and
 * found again by their paths, sizes and mtimes.
 * Throws `UserError` `E_ELF_*` for a binary that is malformed or asks for what the host lacks.
 */
export function elfRuntimeLayout(binaryPath: string, layersDir: string, options: ElfRuntimeOptions = {}): RootLayout {
  const plan = planFor(binaryPath, options);
  const identity = [...plan.entries].sort(([a], [b]) => (a < b ? -1 : 1)).map(([path, entry]) => [path, describe(entry)]);
  const key = createHash('sha256').update(JSON.stringify({ format: LAYER_FORMAT, etc: ETC_GENERATED, mounts: MOUNT_POINTS, identity })).digest('hex');
  const cached = cachedLayer(layersDir, key);
  if (cached) return cached;
  const layout = buildLayer(layersDir, plan);
  remember(layersDir, key, layout);
  return layout;
}
