// Worker processes that die or are stopped mid-grading (kill -9, SIGTERM, a sandbox killed under
// them): every job still ends graded exactly once, and nothing of their sandboxes remains.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { GradingQueue } from '../../services/queue/grading-queue.js';
import { jobKeyFromToken } from '../../services/queue/job-signature.js';
import type { PrivateRedis } from '../../services/queue/private-redis.js';
import { WorkerPool } from '../../services/worker/worker-pool.js';
import { DirectoryBackend } from '../support/directory-backend.js';
import { removeTempDirs, tempDir } from '../support/helpers.js';
import { closeConnections, connection, gradingJob, privateRedis, randomPrefix, ResultLog, until } from '../support/queue-fixtures.js';
import { removeCgroupParents, slotCgroups } from '../support/cgroups.js';
import { FakeApi } from './fake-api.js';
import { LogSink, processesMarked, SUM_C, sumCDigest, submissionsRoot } from './worker-fixtures.js';

const TOKEN = 'crash-test-token';
const CHILD = fileURLToPath(new URL('./worker-process.js', import.meta.url));
const SLOW = join(SUM_C, 'submissions', 'tle.c'); // a build, then three tests at the 1 s CPU limit

let server: PrivateRedis;
let api: FakeApi;
let root: string;
let tokenFile: string;
const closers: Array<() => Promise<void>> = [];
const cgroupNames: string[] = [];

test.before(async () => {
  server = await privateRedis();
  root = submissionsRoot(Object.fromEntries(['k9', 'term', 'handback', 'ie'].map((id) => [id, SLOW])));
  api = await FakeApi.start({ token: TOKEN, root, graders: { [sumCDigest()]: SUM_C } });
  tokenFile = join(tempDir(), 'token');
  writeFileSync(tokenFile, `${TOKEN}\n`);
});
test.after.each(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  closeConnections();
});
test.after(async () => {
  await api.stop();
  await server.stop();
  for (const name of cgroupNames) removeCgroupParents(name);
  removeTempDirs();
});

interface Child {
  process: ChildProcess;
  cgroupName: string;
  output: () => string;
  exited: Promise<number | null>;
}

/** `gradebox worker` in its own process, with its own cgroup name so its sandboxes can be told apart. */
async function startWorker(prefix: string, extra: string[] = [], tmp = tempDir('gbt-tmp-')): Promise<Child> {
  const cgroupName = `gbt-w${randomBytes(4).toString('hex')}`;
  cgroupNames.push(cgroupName);
  const child = spawn(process.execPath, [CHILD, '--redis', server.url, '--api', api.url, '--token-file', tokenFile, '--prefix', prefix,
    '--concurrency', '1', '--cpus', '1', ...extra], {
    // Its own temp dir too: a killed worker's scratch folders are removed with it.
    env: { ...process.env, GRADEBOX_CGROUP_NAME: cgroupName, TMPDIR: tmp }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  child.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  closers.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  await until(() => output.includes('gradebox worker '), 15_000, `the worker process to start: ${output}`);
  return { process: child, cgroupName, output: () => output, exited };
}

async function setup(attempts = 3): Promise<{ queue: GradingQueue; log: ResultLog; prefix: string }> {
  const prefix = randomPrefix();
  const queue = new GradingQueue({ connection: await connection(server, 'api'), prefix, jobKey: jobKeyFromToken(TOKEN), attempts, backoffMs: 100 });
  closers.push(() => queue.close());
  const log = new ResultLog();
  api.onResult = log.handler; // the worker processes' results
  return { queue, log, prefix };
}

/** A worker in this test's process, to take over jobs. */
async function rescuer(prefix: string, log: ResultLog): Promise<WorkerPool> {
  const pool = new WorkerPool({
    jobKey: jobKeyFromToken(TOKEN),
    connection: await connection(server, 'worker'), prefix, backend: new DirectoryBackend({ root, graderDirs: [SUM_C], results: log.handler }),
    // Looks for dead workers' jobs often; its own lock keeps the default, so a loaded machine
    // cannot make it lose a job it is grading.
    cpus: ['0'], stalledIntervalMs: 500, logStream: new LogSink(), workerId: 'rescuer',
  });
  closers.push(() => pool.close());
  return pool;
}

/** Waits until `child` has started grading `id` and one of its sandboxes exists. */
async function midGrading(log: ResultLog, child: Child, id: string): Promise<void> {
  await until(() => log.of('started').some((m) => m.submissionId === id && m.type === 'started' && m.workerId.endsWith(`:${child.process.pid}`)), 20_000, `${id} to start in the worker process`);
  await until(() => slotCgroups(child.cgroupName).length > 0, 10_000, "the worker's sandbox to exist");
}

async function nothingLeft(child: Child): Promise<void> {
  await until(() => slotCgroups(child.cgroupName).length === 0, 10_000, `no slot cgroup of the worker: ${slotCgroups(child.cgroupName).join(' ')}`);
  await until(() => processesMarked(child.cgroupName).length === 0, 10_000, `no process of the worker's sandboxes: ${processesMarked(child.cgroupName).join(' ')}`);
}

function enqueue(queue: GradingQueue, id: string): Promise<unknown> {
  return queue.enqueue(gradingJob({ submissionId: id, graderDigest: sumCDigest() }));
}

test('kill -9 of a worker mid-grading: its sandbox is torn down, another worker finishes the job, one result', async () => {
  const { queue, log, prefix } = await setup();
  const tmp = tempDir('gbt-tmp-');
  // A short lock, so its job is free soon after the kill (long enough to survive a loaded machine).
  const child = await startWorker(prefix, ['--lock-ms', '3000'], tmp);
  await enqueue(queue, 'k9');
  await midGrading(log, child, 'k9');
  child.process.kill('SIGKILL');
  await child.exited;
  await nothingLeft(child);
  const scratch = `gradebox-job-${child.process.pid}-`;
  assert.ok(readdirSync(tmp).some((n) => n.startsWith(scratch)), 'the killed worker could not remove its scratch folder');
  await rescuer(prefix, log);
  await until(() => log.outcome('k9') !== undefined, 60_000, 'k9 to be graded after stall detection');
  const outcome = log.outcome('k9');
  assert.ok(outcome?.type === 'finished' && outcome.result.verdict === 'TLE', JSON.stringify(outcome));
  assert.is(log.of('finished').length, 1, 'exactly one finished message');
  assert.equal(log.starts().map((m) => [m.workerId.endsWith(`:${child.process.pid}`) ? 'killed' : m.workerId, m.attempt]), [['killed', 1], ['rescuer', 2]]);
  await until(async () => (await (await queue.queue.getJob('k9.1'))!.getState()) === 'completed', 10_000, 'k9 to complete');
  // The next worker started on this host removes the dead one's scratch folder.
  const next = await startWorker(prefix, [], tmp);
  assert.match(next.output(), /removed 1 scratch folder\(s\) of dead workers/);
  assert.not.ok(readdirSync(tmp).some((n) => n.startsWith(scratch)));
});

test('SIGTERM mid-grading: the worker finishes the job, then exits cleanly', async () => {
  const { queue, log, prefix } = await setup();
  const child = await startWorker(prefix);
  await enqueue(queue, 'term');
  await midGrading(log, child, 'term');
  child.process.kill('SIGTERM');
  assert.is(await child.exited, 0, child.output());
  assert.match(child.output(), /SIGTERM: stopping \(jobs in flight: 1\)/);
  assert.is(await (await queue.queue.getJob('term.1'))!.getState(), 'completed');
  await until(() => log.outcome('term') !== undefined, 5000, "term's result");
  assert.ok(log.outcome('term')?.type === 'finished');
  await nothingLeft(child);
});

test('SIGTERM past the grace period: the job is handed back, the sandbox torn down, another worker grades it', async () => {
  const { queue, log, prefix } = await setup();
  const child = await startWorker(prefix, ['--grace-ms', '300']);
  await enqueue(queue, 'handback');
  await midGrading(log, child, 'handback');
  child.process.kill('SIGTERM');
  assert.is(await child.exited, 0, child.output());
  await nothingLeft(child);
  assert.ok(['prioritized', 'waiting'].includes(await (await queue.queue.getJob('handback.1'))!.getState()), 'back in the queue at once');
  await rescuer(prefix, log);
  await until(() => log.outcome('handback') !== undefined, 60_000, 'handback to be graded');
  assert.ok(log.outcome('handback')?.type === 'finished');
  assert.is(log.of('finished').length, 1);
});

test('a real internal failure (the supervisor of a running sandbox is killed) is retried and then graded', async () => {
  const { queue, log, prefix } = await setup(2);
  const child = await startWorker(prefix);
  await enqueue(queue, 'ie');
  await midGrading(log, child, 'ie');
  // Supervisors are the launcher server's children: same command line, parent = the server.
  const supervisors = processesMarked(child.cgroupName).filter((pid) => {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const parent = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]);
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--serve') && parent !== child.process.pid;
    } catch {
      return false; // a sandbox that ended meanwhile (a prepared one torn down)
    }
  });
  assert.ok(supervisors.length > 0, 'found the running supervisors');
  let killed = 0;
  for (const pid of supervisors) {
    try {
      process.kill(pid, 'SIGTERM');
      killed += 1;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error; // a prepared sandbox torn down since
    }
  }
  assert.ok(killed > 0, 'killed a running supervisor');
  await until(() => log.outcome('ie') !== undefined, 60_000, 'ie to be graded on the retry');
  const outcome = log.outcome('ie');
  assert.ok(outcome?.type === 'finished' && outcome.result.verdict === 'TLE' && outcome.result.gradable, JSON.stringify(outcome));
  assert.equal(log.starts().map((m) => m.attempt), [1, 2]);
  // A failed attempt, not a stall: BullMQ counted both attempts as made (a stall is not counted),
  // and the worker logged the sandbox failure. (`finished` is sent just before the job completes.)
  await until(async () => (await (await queue.queue.getJob('ie.1'))!.getState()) === 'completed', 10_000, 'ie to complete');
  assert.is((await queue.queue.getJob('ie.1'))!.attemptsMade, 2);
  const retried = child.output().split('\n').filter((l) => l.includes('internal failure: the job will be retried'));
  assert.is(retried.length, 1, child.output());
  assert.match(retried[0]!, /the sandbox failed|E_SANDBOX|sandbox failed/);
  child.process.kill('SIGTERM');
  assert.is(await child.exited, 0);
  await nothingLeft(child);
});

test.run();
