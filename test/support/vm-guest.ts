// A guest machine for the tests that need another kernel setup than the host's: qemu (software
// emulation, so it runs on any host, nested or not) boots a kernel with a tiny initramfs, which
// mounts the host's root read-only over 9p, adds a private /tmp and /run, shares this package
// again at its own path (it may live under /tmp), mounts the cgroup hierarchy asked for, and runs
// one shell script there as root. The script writes what the test
// reads into /run/out, a writable share of a host folder.
import { spawn } from 'node:child_process';
import { pipeline } from 'node:stream/promises';
import { copyFileSync, chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync, createWriteStream } from 'node:fs';
import { release } from 'node:os';
import { basename, join } from 'node:path';

import { packageRoot } from '../../services/common/package-root.js';
import { tempDir } from './helpers.js';

/** Where infra/install.sh unpacks a kernel package when the host's own kernel is not in /boot. */
const UNPACKED_KERNEL = '/var/cache/gradebox/vm-kernel';
/** A static busybox (busybox-static) is the initramfs's only program. */
const BUSYBOX = '/bin/busybox';
/** Modules the initramfs loads before the host's root is there: virtio, 9p, and overlayfs for the sandbox. */
const EARLY_MODULES = ['virtio_pci', '9pnet_virtio', '9p', 'overlay'];
/** The cgroup v1 controllers the guest mounts (as a v1 host has them). */
const V1_CONTROLLERS = ['memory', 'pids', 'cpu,cpuacct', 'cpuset', 'freezer'];

export type CgroupHierarchy = 'v1' | 'v2';

interface GuestKernel {
  vmlinuz: string;
  /** Its lib/modules/VERSION folder. */
  modules: string;
}

/** The host's own kernel when /boot has it, else the one infra/install.sh unpacked. */
function guestKernel(): GuestKernel {
  const own = { vmlinuz: `/boot/vmlinuz-${release()}`, modules: `/lib/modules/${release()}` };
  if (existsSync(own.vmlinuz) && existsSync(join(own.modules, 'modules.dep'))) return own;
  const boot = join(UNPACKED_KERNEL, 'boot');
  const image = existsSync(boot) ? readdirSync(boot).find((n) => n.startsWith('vmlinuz-')) : undefined;
  if (!image) throw new Error(`no kernel for the guest: neither ${own.vmlinuz} nor ${boot}/vmlinuz-*; run infra/install.sh`);
  return { vmlinuz: join(boot, image), modules: join(UNPACKED_KERNEL, 'lib', 'modules', image.slice('vmlinuz-'.length)) };
}

/** The module files to load for `names`, dependencies first (from modules.dep; built-in ones need none). */
function moduleLoadOrder(modulesDir: string, names: string[]): string[] {
  const deps = new Map<string, string[]>();
  for (const line of readFileSync(join(modulesDir, 'modules.dep'), 'utf8').split('\n')) {
    const [file, rest] = line.split(':');
    if (file && rest !== undefined) deps.set(file, rest.trim() ? rest.trim().split(/\s+/) : []);
  }
  const nameOf = (file: string): string => basename(file).replace(/\.ko(\.\w+)?$/, '').replace(/-/g, '_');
  const builtin = new Set(readFileSync(join(modulesDir, 'modules.builtin'), 'utf8').split('\n').map(nameOf));
  const order: string[] = [];
  const add = (file: string): void => {
    if (order.includes(file)) return;
    for (const dep of [...(deps.get(file) ?? [])].reverse()) add(dep); // modules.dep lists the last to load first
    order.push(file);
  };
  for (const name of names) {
    const file = [...deps.keys()].find((f) => nameOf(f) === name);
    if (file) add(file);
    else if (!builtin.has(name)) {
      throw new Error(`the guest kernel in ${modulesDir} has no module ${name}`);
    }
  }
  for (const file of order) {
    if (!file.endsWith('.ko')) throw new Error(`module ${file} is compressed; the guest's busybox insmod loads plain .ko files only`);
  }
  return order;
}

function cgroupMounts(hierarchy: CgroupHierarchy): string {
  if (hierarchy === 'v2') return '$B mount -t cgroup2 cgroup2 /host/sys/fs/cgroup';
  return ['$B mount -t tmpfs cgroup /host/sys/fs/cgroup',
    ...V1_CONTROLLERS.map((c) => `$B mkdir /host/sys/fs/cgroup/${c} && $B mount -t cgroup -o ${c} cgroup /host/sys/fs/cgroup/${c}`),
    // as on a v1 host: cpu and cpuacct also under their own names
    '$B ln -s cpu,cpuacct /host/sys/fs/cgroup/cpu', '$B ln -s cpu,cpuacct /host/sys/fs/cgroup/cpuacct'].join('\n');
}

/** The initramfs's /init: modules, the host's root, private /tmp and /run, the package, cgroups, then the script as PID 1. */
function initScript(modules: string[], hierarchy: CgroupHierarchy): string {
  return `#!/bin/busybox sh
B=/bin/busybox
$B mount -t proc proc /proc && $B mount -t sysfs sys /sys && $B mount -t devtmpfs dev /dev
for m in ${modules.map((m) => `/modules/${basename(m)}`).join(' ')}; do $B insmod "$m" || exit 1; done
$B mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose host /host || exit 1
$B mount -t tmpfs tmpfs /host/tmp && $B mount -t tmpfs tmpfs /host/run && $B mkdir /host/run/out
$B mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 out /host/run/out || exit 1
$B mkdir -p '/host${packageRoot}' && $B mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose package '/host${packageRoot}' || exit 1
$B mount -t devtmpfs dev /host/dev && $B mount -t proc proc /host/proc && $B mount -t sysfs sys /host/sys
${cgroupMounts(hierarchy)}
$B ip link set lo up 2>/dev/null
$B cp /guest.sh /host/run/guest.sh
$B umount /proc /sys /dev
# switch_root, not chroot: the kernel refuses a user namespace to a chrooted process
exec $B switch_root /host /bin/sh -c 'sh /run/guest.sh > /run/out/console.log 2>&1; echo $? > /run/out/exit-code; sync; echo o > /proc/sysrq-trigger; sleep 60'
`;
}

/** An initramfs (newc cpio, made by busybox) with busybox, the early modules, /init and the script. */
async function buildInitramfs(dir: string, kernel: GuestKernel, hierarchy: CgroupHierarchy, script: string): Promise<string> {
  const root = join(dir, 'initramfs');
  for (const sub of ['bin', 'modules', 'proc', 'sys', 'dev', 'host']) mkdirSync(join(root, sub), { recursive: true });
  copyFileSync(BUSYBOX, join(root, 'bin', 'busybox'));
  const modules = moduleLoadOrder(kernel.modules, EARLY_MODULES);
  for (const file of modules) copyFileSync(join(kernel.modules, file), join(root, 'modules', basename(file)));
  writeFileSync(join(root, 'init'), initScript(modules, hierarchy));
  chmodSync(join(root, 'init'), 0o755);
  writeFileSync(join(root, 'guest.sh'), script);
  const image = join(dir, 'initramfs.cpio');
  // A folder is listed before what it holds, as the kernel unpacks in order.
  const files = ['.', ...readdirSync(root, { recursive: true }).map((p) => `./${String(p)}`)].join('\n') + '\n';
  await runTool(BUSYBOX, ['cpio', '-o', '-H', 'newc'], { cwd: root, input: files, stdoutFile: image });
  return image;
}

function runTool(command: string, args: string[], options: { cwd?: string; input?: string; stdoutFile?: string; timeoutMs?: number }): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    // The file is complete (and its write errors seen) before the tool counts as done.
    const written = options.stdoutFile ? pipeline(child.stdout, createWriteStream(options.stdoutFile)) : Promise.resolve();
    if (!options.stdoutFile) child.stdout.on('data', (chunk: Buffer) => { output += chunk; });
    child.stderr.on('data', (chunk: Buffer) => { output += chunk; });
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : undefined;
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) written.then(() => resolve(output), reject);
      else reject(new Error(`${command} ${args.join(' ')} ended with ${signal ?? code}: ${output.slice(-2000)}`));
    });
    child.stdin.end(options.input ?? '');
  });
}

export interface GuestRun {
  /** The script's exit status. */
  exitCode: number;
  /** What the script printed (stdout and stderr). */
  output: string;
  /** The folder the script saw as /run/out (a temp dir, removed by the test's removeTempDirs). */
  outDir: string;
}

/**
 * Boots a guest with only the `hierarchy` cgroups mounted and runs `script` (sh) in it, as root,
 * in the host's file tree (read-only but for /tmp, /run and /run/out). 2 CPUs, 4 GiB.
 */
export async function runInGuest(hierarchy: CgroupHierarchy, script: string, timeoutMs: number): Promise<GuestRun> {
  // qemu's options split at commas, and the init quotes the path in single quotes
  if (/[,']/.test(packageRoot)) throw new Error(`the guest cannot share ${packageRoot}: its path has a comma or a quote`);
  const dir = tempDir();
  const outDir = join(dir, 'out');
  mkdirSync(outDir);
  const kernel = guestKernel();
  const initramfs = await buildInitramfs(dir, kernel, hierarchy, script);
  // cgroup_no_v1=all leaves every controller to v2, as on a host with only the unified hierarchy
  const cmdline = `console=ttyS0 quiet loglevel=1 panic=-1${hierarchy === 'v2' ? ' cgroup_no_v1=all' : ''}`;
  const serial = await runTool('qemu-system-x86_64', ['-accel', 'tcg,thread=multi', '-m', '4096', '-smp', '2', '-nographic', '-no-reboot',
    '-kernel', kernel.vmlinuz, '-initrd', initramfs, '-append', cmdline,
    '-virtfs', 'local,path=/,mount_tag=host,security_model=passthrough,readonly=on,multidevs=remap',
    '-virtfs', `local,path=${packageRoot},mount_tag=package,security_model=passthrough,readonly=on,multidevs=remap`,
    '-virtfs', `local,path=${outDir},mount_tag=out,security_model=passthrough`], { timeoutMs });
  const exitFile = join(outDir, 'exit-code');
  if (!existsSync(exitFile)) throw new Error(`the guest did not finish its script; its console said:\n${serial.slice(-4000)}`);
  return { exitCode: Number(readFileSync(exitFile, 'utf8').trim()), output: readFileSync(join(outDir, 'console.log'), 'utf8'), outDir };
}
