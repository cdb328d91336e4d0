// A real `gradebox start` for the service tests: its own data folder, port and (optionally)
// Redis; uploads through HTTP; stopped and removed afterwards.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { fromPackageRoot } from '../../services/common/package-root.js';

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

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits up to 30 s for these pids (ours: the service's children) to end, then SIGKILLs the rest. */
async function endPids(pids: number[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  for (const pid of pids.filter(alive)) process.kill(pid, 'SIGKILL');
}

export interface RunningService {
  url: string;
  key: string;
  dataDir: string;
  child: ChildProcess;
  output: () => string;
  pids(): { api: number | null; worker: number | null; redis: number | null };
  stop(): Promise<void>;
}

export async function startService(options: { workers?: number; env?: NodeJS.ProcessEnv } = {}): Promise<RunningService> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gradebox-svc-'));
  chmodSync(dataDir, 0o755);
  const port = await freePort();
  const child = spawn(process.execPath, [CLI, 'start', '--port', String(port), '--data', dataDir, '--workers', String(options.workers ?? 2)], {
    env: { ...process.env, REDIS_URL: '', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => { output += c; });
  child.stderr!.on('data', (c: Buffer) => { output += c; });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  let key: string | undefined;
  while (!key || !(await fetch(`${url}/readyz`).then((r) => r.ok, () => false))) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`gradebox start did not come up:\n${output}`);
    key = /shown once; gradebox keys create --course demo makes more\):\n(\S+)\n/.exec(output)?.[1];
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url, key, dataDir, child,
    output: () => output,
    pids: () => JSON.parse(readFileSync(join(dataDir, 'processes.json'), 'utf8')) as { api: number | null; worker: number | null; redis: number | null },
    async stop() {
      const last = JSON.parse(readFileSync(join(dataDir, 'processes.json'), 'utf8')) as Record<string, number | null>;
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
        await exited;
        clearTimeout(timer);
      }
      // If start itself was killed, its children stop on their own; make sure before removing their folder.
      await endPids([last.api, last.worker, last.redis].filter((p): p is number => typeof p === 'number'));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** POSTs a submission as multipart (files by name → content). */
export async function upload(service: { url: string; key: string }, fields: Record<string, string>, files: Record<string, string | Buffer>, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  for (const [name, content] of Object.entries(files)) form.append('files', new Blob([content]), name);
  const response = await fetch(`${service.url}/v1/submissions`, { method: 'POST', body: form, headers: { authorization: `Bearer ${service.key}`, ...headers } });
  return { status: response.status, body: await response.json() };
}

export async function getSubmission(service: { url: string; key: string }, id: string): Promise<any> {
  const response = await fetch(`${service.url}/v1/submissions/${id}`, { headers: { authorization: `Bearer ${service.key}` } });
  return response.json();
}

/** Polls until the submission is graded (or failed for good). */
export async function waitGraded(service: { url: string; key: string }, id: string, timeoutMs = 120_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const submission = await getSubmission(service, id).catch(() => null);
    if (submission && (submission.status === 'graded' || submission.status === 'error')) return submission;
    if (Date.now() > deadline) throw new Error(`submission ${id} not graded in ${timeoutMs} ms: ${JSON.stringify(submission)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
