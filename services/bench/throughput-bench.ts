// Throughput, compared fairly: the cost of one more run, one and two at a time. The peers (a bare
// program, bubblewrap) are spawned by a minimal C loop (native/bench/spawn-loop.c), not by Node,
// whose own spawn costs milliseconds; gradebox runs from this one long-lived process, as a worker
// runs it: one lane per CPU, each with its pool of prepared sandboxes pinned to that CPU. The cost
// per run is the difference of two batch sizes (start-up and warm-up cancel out).
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';

import { config } from '../common/config.js';
import { fromPackageRoot } from '../common/package-root.js';
import { canonicalEnvironment } from '../sandbox/environment.js';
import { buildEtcLayer } from '../sandbox/layers.js';
import { resolveLimits } from '../sandbox/limits.js';
import { SandboxPool } from '../sandbox/pool.js';
import { defaultLayoutOnce, runSandboxed, scratchKbFor } from '../sandbox/sandbox.js';

/** Runs `runs` times, `parallel` at a time; the batch's wall time in µs. */
type Batch = (runs: number, parallel: number) => Promise<number>;

export interface ThroughputRow {
  /** Wall time one more run costs, one at a time and two at a time, ms. */
  cost_x1_ms: number;
  cost_x2_ms: number;
  /** Throughput two at a time over one at a time (the cost ratio): 2.0 is perfect scaling. */
  scaling: number;
}

const WORKLOADS: Record<string, string[]> = {
  true: ['/bin/true'],
  python: ['/usr/bin/python3', '-c', 'pass'],
};

function spawnLoop(): string {
  return fromPackageRoot('build', 'Release', 'gradebox-spawn-loop');
}

/** A peer's batch, run by the C loop. */
function peerBatch(prefix: string[], argv: string[], env: NodeJS.ProcessEnv): Batch {
  return async (runs, parallel) => {
    const out = execFileSync(spawnLoop(), [String(runs), String(parallel), '--', ...prefix, ...argv], { env, encoding: 'utf8' });
    return (JSON.parse(out) as { wall_us: number }).wall_us;
  };
}

/** The closest bubblewrap equivalent of our sandbox; null when bubblewrap is not installed. */
function bwrapPrefix(): string[] | null {
  if (spawnSync('bwrap', ['--version']).status !== 0) return null;
  const etc = buildEtcLayer(join(config().stateDir, 'layers'));
  const env = Object.entries(canonicalEnvironment()).flatMap(([k, v]) => ['--setenv', k, v]);
  // every namespace, read-only /usr and /etc, tmpfs /tmp and /box, fresh /proc and /dev, a new
  // session, a clean environment
  return ['bwrap', '--unshare-all', '--die-with-parent', '--new-session', '--clearenv', ...env,
    '--ro-bind', '/usr', '/usr', '--symlink', 'usr/bin', '/bin', '--symlink', 'usr/lib', '/lib',
    '--symlink', 'usr/lib64', '/lib64', '--symlink', 'usr/sbin', '/sbin', '--ro-bind', etc, '/etc',
    '--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp', '--tmpfs', '/box', '--chdir', '/box', '--'];
}

/** gradebox's batch: `parallel` lanes, lane i on CPU i with its own pool, taking runs in turn. */
function gradeboxBatch(argv: string[], cpus: string[]): Batch {
  return async (runs, parallel) => {
    const lanes = cpus.slice(0, parallel).map((cpu) => {
      const limits = resolveLimits({ memoryMb: 256, cpuset: cpu });
      return { limits, pool: new SandboxPool({ layout: defaultLayoutOnce(), scratchKb: scratchKbFor(limits), size: 2, demand: runs, cpus: cpu }) };
    });
    let left = runs;
    const started = performance.now();
    try {
      await Promise.all(lanes.map(async ({ limits, pool }) => {
        while (left > 0) {
          left--;
          const result = await runSandboxed({ argv, limits, prepared: pool.take() });
          if (result.status !== 'ok') throw new Error(`sandboxed run failed: ${result.status} ${result.stderr}`);
        }
      }));
      return (performance.now() - started) * 1000;
    } finally {
      await Promise.all(lanes.map((lane) => lane.pool.close()));
    }
  };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** Pairs of batches measured; the median difference is kept (a busy spell hits one or two pairs,
 * not all: with three, one run's figures on this VM still moved by 15% from run to run). */
const REPEATS = 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

/** Cost of one more run at `parallel` at a time: (wall(large) - wall(small)) / (large - small), ms. */
async function costPerRun(batch: Batch, small: number, large: number, parallel: number): Promise<number> {
  await batch(Math.min(small, 20), parallel); // warm-up: page cache, layers
  const costs: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const smallUs = await batch(small, parallel);
    const largeUs = await batch(large, parallel);
    costs.push((largeUs - smallUs) / (large - small) / 1000);
  }
  return median(costs);
}

async function row(batch: Batch, small: number, large: number): Promise<ThroughputRow> {
  const one = await costPerRun(batch, small, large, 1);
  const two = await costPerRun(batch, small, large, 2);
  return { cost_x1_ms: round(one), cost_x2_ms: round(two), scaling: round(one / two) };
}

/** Every workload, each way; `small` and `large` runs per batch. */
export async function benchThroughput(small: number, large: number, cpus: string[]): Promise<Record<string, Record<string, ThroughputRow | null>>> {
  const bwrap = bwrapPrefix();
  const report: Record<string, Record<string, ThroughputRow | null>> = {};
  for (const [workload, argv] of Object.entries(WORKLOADS)) {
    report[workload] = {
      bare: await row(peerBatch([], argv, canonicalEnvironment()), small, large),
      bwrap: bwrap ? await row(peerBatch(bwrap, argv, {}), small, large) : null,
      gradebox: await row(gradeboxBatch(argv, cpus), small, large),
    };
  }
  return report;
}

/** A figure the issue asks for, next to its target (never lowered here: a miss is reported as one). */
export interface TargetCheck {
  value: number;
  target: string;
  met: boolean;
}

/** `parts`: the costs the value is made of; one that is not positive means the machine was too busy to measure. */
function check(value: number, parts: number[], atLeast: number | null, atMost: number | null): TargetCheck {
  const measured = parts.every((cost) => cost > 0) && Number.isFinite(value);
  const met = measured && (atLeast === null || value >= atLeast) && (atMost === null || value <= atMost);
  return { value: measured ? Math.round(value * 100) / 100 : NaN, target: atLeast !== null ? `>= ${atLeast}` : `<= ${atMost}`, met };
}

/** gradebox's overhead over a bare `python3 -c pass`, two at a time, over bubblewrap's. */
function pythonOverhead(gradebox: ThroughputRow, bwrap: ThroughputRow, bare: ThroughputRow): TargetCheck {
  const ours = gradebox.cost_x2_ms - bare.cost_x2_ms, theirs = bwrap.cost_x2_ms - bare.cost_x2_ms;
  return check(ours / theirs, [theirs, gradebox.cost_x2_ms, bare.cost_x2_ms], null, 0.75);
}

/** The throughput targets, each from ratios measured in this one run. */
export function throughputTargets(report: Record<string, Record<string, ThroughputRow | null>>): Record<string, TargetCheck | null> {
  const t = report.true!, py = report.python!;
  const gradebox = t.gradebox!, bwrap = t.bwrap;
  return {
    true_two_at_a_time_over_one: check(gradebox.scaling, [gradebox.cost_x1_ms, gradebox.cost_x2_ms], 1.7, null),
    true_two_at_a_time_over_bwrap: bwrap ? check(bwrap.cost_x2_ms / gradebox.cost_x2_ms, [bwrap.cost_x2_ms, gradebox.cost_x2_ms], 1.5, null) : null,
    python_overhead_over_bwrap_overhead: py.bwrap ? pythonOverhead(py.gradebox!, py.bwrap, py.bare!) : null,
  };
}
