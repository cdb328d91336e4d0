// `gradebox start` as a child process with its own data folder and port, for the service
// benchmark and the tests: started, waited for (first course key read, /readyz ready), stopped.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { fromPackageRoot } from '../common/package-root.js';
import { readProcesses, removeStartState, type ServicePids } from '../starter/start-state.js';

export const CLI = fromPackageRoot('dist', 'services', 'cli', 'main.js');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });
}

/** Whether a process of ours still exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits up to 30 s for these pids (the service's own children) to end, then SIGKILLs the rest. */
async function endPids(pids: number[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  for (const pid of pids.filter(alive)) process.kill(pid, 'SIGKILL');
}

export interface LocalService {
  url: string;
  /** The demo course's first key. */
  key: string;
  dataDir: string;
  child: ChildProcess;
  output(): string;
  pids(): ServicePids;
  /** SIGTERM to start (SIGKILL after a minute), its children ended, the data folder removed. */
  stop(): Promise<void>;
}

export interface LocalServiceOptions {
  /** @defaultValue 2 */
  workers?: number;
  env?: NodeJS.ProcessEnv;
  /** Called with the new (empty, 0755) data folder before start runs. */
  prepare?: (dataDir: string) => void;
  /** A data folder of the caller's (an earlier service's, say), kept by stop(); a new temp folder when absent. */
  dataDir?: string;
  /** The port to serve on (an earlier service's, say); a free one when absent. */
  port?: number;
  /** The course key of that folder: start prints one only on its first run. */
  key?: string;
}

export async function startLocalService(options: LocalServiceOptions = {}): Promise<LocalService> {
  const ownFolder = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'gradebox-svc-'));
  if (ownFolder) chmodSync(dataDir, 0o755); // as a plain mkdir leaves it: start makes it private
  options.prepare?.(dataDir);
  const port = options.port ?? (await freePort());
  const child = spawn(process.execPath, [CLI, 'start', '--port', String(port), '--data', dataDir, '--workers', String(options.workers ?? 2)], {
    env: { ...process.env, REDIS_URL: '', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => { output += c; });
  child.stderr!.on('data', (c: Buffer) => { output += c; });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  let key = options.key;
  // Up once the key is printed, the API ready and start has recorded its children (it logs
  // "gradebox is running" just after): before that, pids() would find no process list.
  while (!key || !output.includes('gradebox is running') || !(await fetch(`${url}/readyz`).then((r) => r.ok, () => false))) {
    if (Date.now() > deadline || child.exitCode !== null) {
      // Leave nothing running: start's children stop when it is gone.
      child.kill('SIGKILL');
      await exited;
      removeStartState(dataDir);
      if (ownFolder) rmSync(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
      throw new Error(`gradebox start did not come up:\n${output}`);
    }
    key ??= /shown once; gradebox keys create --course demo makes more\):\n(\S+)\n/.exec(output)?.[1];
    await new Promise((r) => setTimeout(r, 200));
  }
  const pids = (): ServicePids => readProcesses(dataDir) ?? { api: null, worker: null, redis: null };
  return {
    url, key, dataDir, child, pids,
    output: () => output,
    async stop() {
      const last = pids();
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
        await exited;
        clearTimeout(timer);
      }
      // If start itself was killed, its children stop on their own; make sure before removing their folder.
      await endPids([last.api, last.worker, last.redis].filter((p): p is number => typeof p === 'number'));
      removeStartState(dataDir);
      if (ownFolder) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
