// The sandbox's cost next to a bare spawn and bubblewrap, measured from one long-lived process:
// /bin/true and `python3 -c pass`, one and two at a time; medians, runs/s and ratios.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';

import { config } from '../common/config.js';
import { canonicalEnvironment } from '../sandbox/environment.js';
import { buildEtcLayer } from '../sandbox/layers.js';
import { resolveLimits } from '../sandbox/limits.js';
import { SandboxPool } from '../sandbox/pool.js';
import { defaultLayoutOnce, runSandboxed, scratchKbFor } from '../sandbox/sandbox.js';

type Runner = (argv: string[]) => Promise<void>;

interface Measurement {
  median_ms: number;
  runs_per_s: number;
}

const WORKLOADS: Record<string, string[]> = {
  true: ['/bin/true'],
  python: ['/usr/bin/python3', '-c', 'pass'],
};

function spawnAndWait(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'ignore', env });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}`))));
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** `runs` runs, `parallel` at a time; per-run latency median and overall throughput. */
async function measure(run: Runner, argv: string[], runs: number, parallel: number): Promise<Measurement> {
  await run(argv); // warm-up: page cache, layers
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  const worker = async (): Promise<void> => {
    while (next < runs) {
      next++;
      const t0 = performance.now();
      await run(argv);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  const seconds = (performance.now() - start) / 1000;
  return { median_ms: Math.round(median(latencies) * 100) / 100, runs_per_s: Math.round(runs / seconds) };
}

function bwrapRunner(): Runner | null {
  if (spawnSync('bwrap', ['--version']).status !== 0) return null;
  const etc = buildEtcLayer(join(config().stateDir, 'layers'));
  const env = Object.entries(canonicalEnvironment()).flatMap(([k, v]) => ['--setenv', k, v]);
  // The closest bubblewrap equivalent of our sandbox: every namespace, read-only /usr and /etc,
  // tmpfs /tmp and /box, fresh /proc and /dev, a new session, a clean environment.
  const base = ['--unshare-all', '--die-with-parent', '--new-session', '--clearenv', ...env,
    '--ro-bind', '/usr', '/usr', '--symlink', 'usr/bin', '/bin', '--symlink', 'usr/lib', '/lib',
    '--symlink', 'usr/lib64', '/lib64', '--symlink', 'usr/sbin', '/sbin', '--ro-bind', etc, '/etc',
    '--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp', '--tmpfs', '/box', '--chdir', '/box'];
  return (argv) => spawnAndWait('bwrap', [...base, '--', ...argv], {});
}

/** One row of the report: each runner's measurement (null: bubblewrap is not installed), and the ratios. */
export type SandboxBenchRow = Record<string, unknown>;

/** Every workload, one and two at a time, each way; `runs` runs per measurement. */
export async function benchSandbox(runs: number): Promise<Record<string, SandboxBenchRow>> {
  const limits = resolveLimits({ memoryMb: 256 });
  const pool = new SandboxPool({ layout: defaultLayoutOnce(), scratchKb: scratchKbFor(limits), size: 4 });
  const runners: Record<string, Runner | null> = {
    bare: (a) => spawnAndWait(a[0]!, a.slice(1), canonicalEnvironment()),
    gradebox: async (a) => {
      const result = await runSandboxed({ argv: a, limits, prepared: pool.take() });
      if (result.status !== 'ok') throw new Error(`sandboxed run failed: ${result.status} ${result.stderr}`);
    },
    bwrap: bwrapRunner(),
    // the same sandbox without its seccomp filter: what the filter costs per run
    gradebox_no_seccomp: async (a) => {
      const result = await runSandboxed({ argv: a, limits, prepared: pool.take(), policy: null });
      if (result.status !== 'ok') throw new Error(`sandboxed run failed: ${result.status} ${result.stderr}`);
    },
  };
  const report: Record<string, SandboxBenchRow> = {};
  try {
    for (const [workload, command] of Object.entries(WORKLOADS)) {
      for (const parallel of [1, 2]) {
        const row: SandboxBenchRow = {};
        for (const [name, runner] of Object.entries(runners)) {
          row[name] = runner ? await measure(runner, command, runs, parallel) : null;
        }
        report[`${workload}_x${parallel}`] = withRatios(row);
      }
    }
  } finally {
    await pool.close();
  }
  return report;
}

function withRatios(row: SandboxBenchRow): SandboxBenchRow {
  const g = row.gradebox as Measurement;
  const b = row.bwrap as Measurement | null;
  const bare = row.bare as Measurement;
  row.ratio_median_gradebox_to_bwrap = b ? Math.round((g.median_ms / b.median_ms) * 100) / 100 : null;
  row.ratio_median_gradebox_to_bare = Math.round((g.median_ms / bare.median_ms) * 100) / 100;
  row.ratio_throughput_gradebox_to_bwrap = b ? Math.round((g.runs_per_s / b.runs_per_s) * 100) / 100 : null;
  const bare_sandbox = row.gradebox_no_seccomp as Measurement;
  row.seccomp_cost_median_ms = Math.round((g.median_ms - bare_sandbox.median_ms) * 100) / 100;
  return row;
}
