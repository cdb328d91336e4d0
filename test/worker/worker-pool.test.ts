// The worker pool against real Redis and the real grading pipeline: verdicts, CPU pinning, evidence,
// bad payloads, a student's own fault (a verdict, CE), a grader's fault (never retried), internal failures (retried, bounded), shutdown.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { Queue } from 'bullmq';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { InternalError } from '../../services/common/errors.js';
import { gradeSubmission, type GradeResult } from '../../services/grading/grade.js';
import type { GradingJob } from '../../services/protocol/grading-job.js';
import { GradingQueue } from '../../services/queue/grading-queue.js';
import { jobKeyFromToken, signJob } from '../../services/queue/job-signature.js';
import { seedFor, type GradeFunction } from '../../services/worker/grading-run.js';
import { RESULT_REFUSED } from '../../services/worker/result-delivery.js';
import { WorkerPool, type WorkerPoolOptions } from '../../services/worker/worker-pool.js';
import { loadGrader } from '../../services/grading/load-grader.js';
import { DirectoryBackend } from '../support/directory-backend.js';
import { tempDir } from '../support/helpers.js';
import { fileSha256 } from '../support/file-sha256.js';
import { connection, gradingJob, randomPrefix, ResultLog, sleep, until, useRedisServer, JOB_KEY } from '../support/queue-fixtures.js';
import { idOf, LogSink, SUM_C, sumCDigest, sumCExpected, submissionsRoot } from './worker-fixtures.js';

const redisServer = useRedisServer(test);
const closers = redisServer.closers;

interface Setup {
  queue: GradingQueue;
  log: ResultLog;
  prefix: string;
  root: string;
  pool: (options?: Partial<WorkerPoolOptions>) => Promise<{ pool: WorkerPool; sink: LogSink }>;
}

async function setup(files: Record<string, string>, queueOptions: { attempts?: number; backoffMs?: number } = {}): Promise<Setup> {
  const prefix = randomPrefix();
  const root = submissionsRoot(files);
  const queue = new GradingQueue({ connection: await connection(redisServer.server(), 'api'), prefix, jobKey: JOB_KEY, ...queueOptions });
  closers.push(() => queue.close());
  const log = new ResultLog();
  const pool = async (options: Partial<WorkerPoolOptions> = {}): Promise<{ pool: WorkerPool; sink: LogSink }> => {
    const sink = new LogSink();
    const worker = new WorkerPool({
      jobKey: JOB_KEY,
      connection: await connection(redisServer.server(), 'worker'), prefix, backend: new DirectoryBackend({ root, graderDirs: [SUM_C], results: log.handler }),
      cpus: ['0', '1'], logStream: sink, ...options,
    });
    closers.push(() => worker.close());
    return { pool: worker, sink };
  };
  return { queue, log, prefix, root, pool };
}

function enqueue(queue: GradingQueue, submissionId: string, gradeNumber = 1): Promise<unknown> {
  return queue.enqueue(gradingJob({ submissionId, gradeNumber, graderDigest: sumCDigest() }));
}

test('every sample submission of sum-c gets its verdict, one CPU per job, evidence uploaded', async () => {
  const expected = sumCExpected();
  const files = Object.fromEntries(Object.keys(expected).map((f) => [idOf(f), join(SUM_C, 'submissions', f)]));
  const { queue, log, root, pool } = await setup(files);
  for (const id of Object.keys(files)) await enqueue(queue, id);
  const { sink } = await pool();
  await until(() => log.outcomes.size === Object.keys(files).length, 60_000, 'every submission graded');
  for (const [file, verdict] of Object.entries(expected)) {
    const outcome = log.outcome(idOf(file));
    assert.is(outcome?.type, 'finished', file);
    if (outcome?.type !== 'finished') continue;
    assert.is(outcome.result.verdict, verdict, file);
    assert.is(outcome.result.provenance.seed, seedFor(idOf(file)));
    assert.equal(outcome.result.incidents, [], 'local evidence paths stay on the worker');
  }
  assert.equal(log.starts().map((m) => m.attempt), Object.keys(files).map(() => 1));
  // The forbidden ptrace call is an incident whose evidence archive went to the backend under its sha256.
  const sv = log.outcome('forbidden-c');
  assert.ok(sv?.type === 'finished' && sv.incidents.length > 0, 'the SV result carries its incident');
  if (sv?.type === 'finished') {
    const [incident] = sv.incidents;
    assert.is(incident?.syscall, 'ptrace');
    const stored = join(root, 'evidence', incident!.evidenceSha256!);
    assert.ok(existsSync(stored), 'evidence uploaded');
    assert.is(await fileSha256(stored), incident!.evidenceSha256);
  }
  // tle.c runs three tests at the 1 s CPU limit: its tests were reported one by one while it ran,
  // every report before its outcome; the incident carries its audit log lines and manifest.
  const tle = log.deliveries.filter((m) => m.submissionId === 'tle-c');
  const reports = tle.flatMap((m) => (m.type === 'progress' ? [m] : []));
  assert.ok(reports.length > 0, 'a long grading reports progress');
  assert.equal(reports.flatMap((m) => m.tests.map((t) => t.index)), [...new Set(reports.flatMap((m) => m.tests.map((t) => t.index)))], 'each test once');
  assert.is(reports.at(-1)!.done, reports.at(-1)!.total);
  assert.ok(reports.every((m) => m.tests.every((t) => t.verdict === 'TLE' && !('output' in t))), 'the verdicts, no output');
  assert.is(tle.at(-1)!.type, 'finished', 'no report after the outcome');
  if (sv?.type === 'finished') {
    assert.ok((sv.incidents[0]!.audit ?? []).some((line) => line.type === 'violation'), 'the violation\'s audit log line travels with the incident');
    assert.ok(sv.incidents[0]!.manifestSha256 && existsSync(join(root, 'evidence', sv.incidents[0]!.manifestSha256)), 'its manifest uploaded');
  }
  const cpus = sink.lines.filter((l) => l.msg === 'grading').map((l) => l.cpu);
  assert.is(cpus.length, Object.keys(files).length);
  assert.ok(cpus.every((c) => c === '0' || c === '1'), `pinned to a slot CPU: ${cpus.join(' ')}`);
  assert.ok(sink.lines.filter((l) => l.msg === 'graded').every((l) => typeof l.job === 'string' && l.attempt === 1), 'a child logger per job');
});

test('a job that carries its files is graded from them, without asking the backend', async () => {
  // The backend knows no submission "carried": only the job has its files.
  const { queue, log, pool } = await setup({});
  const source = readFileSync(join(SUM_C, 'submissions', 'accepted.c'));
  const files = [{ path: 'accepted.c', sha256: createHash('sha256').update(source).digest('hex'), base64: source.toString('base64') }];
  await queue.enqueue(gradingJob({ submissionId: 'carried', graderDigest: sumCDigest(), files }));
  await pool();
  await until(() => log.outcome('carried') !== undefined, 30_000, 'the outcome');
  const outcome = log.outcome('carried');
  assert.ok(outcome?.type === 'finished' && outcome.result.verdict === 'AC', JSON.stringify(outcome));
});

test('a signed but bad payload (a newer API) fails for good with its reason, and the worker goes on', async () => {
  const { queue, log, prefix, pool } = await setup({ ok: join(SUM_C, 'submissions', 'accepted.c') });
  const raw = new Queue('grading', { connection: await connection(redisServer.server(), 'api'), prefix });
  closers.push(() => raw.close());
  const bad = { submissionId: 'ghost', gradeNumber: 1, courseId: 'c', graderDigest: 'nope', kind: 'grade', enqueuedAt: 'x' } as unknown as GradingJob;
  await raw.add('grade', signJob(bad, JOB_KEY), { jobId: 'bad.1', attempts: 3, priority: 1 });
  await enqueue(queue, 'ok');
  await pool();
  await until(() => log.outcome('ok') !== undefined, 30_000, 'the good job');
  await until(async () => (await (await raw.getJob('bad.1'))!.getState()) === 'failed', 5000, 'bad.1 to fail');
  const failedJob = await raw.getJob('bad.1');
  assert.match(failedJob!.failedReason, /invalid job payload: graderDigest: must be a sha256/);
  assert.is(failedJob!.attemptsMade, 1, 'not retried');
  const failed = log.outcome('ghost');
  assert.ok(failed?.type === 'failed' && !failed.userError && /graderDigest/.test(failed.reason), 'the API hears why');
  assert.is(log.outcome('ok')?.type, 'finished');
});

test('jobs the API did not sign (no HMAC, another key, a field changed) are refused without grading, and the API hears nothing', async () => {
  const { log, prefix, pool } = await setup({ victim: join(SUM_C, 'submissions', 'wrong.c') });
  const raw = new Queue('grading', { connection: await connection(redisServer.server(), 'api'), prefix });
  closers.push(() => raw.close());
  const source = readFileSync(join(SUM_C, 'submissions', 'accepted.c'));
  const forged = gradingJob({ submissionId: 'victim', graderDigest: sumCDigest(),
    files: [{ path: 'main.c', sha256: createHash('sha256').update(source).digest('hex'), base64: source.toString('base64') }] });
  const genuine = signJob(gradingJob({ submissionId: 'victim', graderDigest: sumCDigest() }), JOB_KEY);
  const jobs: Record<string, unknown> = {
    unsigned: forged,
    'other-key': signJob(forged, jobKeyFromToken('a guessed token')),
    'files-added': { ...genuine, files: forged.files },
    'not-an-object': 'grade me',
  };
  for (const [jobId, data] of Object.entries(jobs)) await raw.add('grade', data, { jobId, attempts: 3, priority: 1 });
  let graded = 0;
  const { sink } = await pool({ grade: async (options) => { graded += 1; return gradeSubmission(options); } });
  for (const jobId of Object.keys(jobs)) await until(async () => (await (await raw.getJob(jobId))!.getState()) === 'failed', 10_000, `${jobId} to fail`);
  for (const jobId of Object.keys(jobs)) {
    const job = await raw.getJob(jobId);
    assert.match(job!.failedReason, /^refused, not signed/, jobId);
    assert.is(job!.attemptsMade, 1, `${jobId}: not retried`);
  }
  assert.is(graded, 0, 'nothing graded');
  assert.equal(log.deliveries, [], 'no message to the API');
  assert.is(sink.lines.filter((l) => l.msg === 'job refused: the API did not make it; nothing graded').length, 4);
});

test("a student's own fault (no source file) is graded CE with the reason as feedback, once, never retried", async () => {
  const readme = join(submissionsRoot({}), 'README.txt');
  writeFileSync(readme, 'I forgot my code\n');
  const { queue, log, pool } = await setup({ nosource: readme });
  await enqueue(queue, 'nosource');
  await pool();
  await until(() => log.outcome('nosource') !== undefined, 30_000, 'the outcome');
  const outcome = log.outcome('nosource');
  assert.ok(outcome?.type === 'finished', JSON.stringify(outcome));
  if (outcome?.type === 'finished') {
    assert.equal([outcome.result.verdict, outcome.result.gradable], ['CE', true]);
    assert.match(outcome.result.output, /^Compile error:\nThis assignment is graded as c, but the submission has no \.c file: it has README\.txt\./);
  }
  await until(async () => (await (await queue.queue.getJob('nosource.1'))!.getState()) === 'completed', 5000, 'the job to complete');
  assert.is((await queue.queue.getJob('nosource.1'))!.attemptsMade, 1);
  assert.is(log.starts().length, 1, 'one try only');
});

test('the entry file a job names reaches the grading (and its provenance)', async () => {
  const { queue, log, pool } = await setup({ entry: join(SUM_C, 'submissions', 'accepted.c') });
  await queue.enqueue(gradingJob({ submissionId: 'entry', gradeNumber: 1, graderDigest: sumCDigest(), entry: 'main.c' }));
  await pool();
  await until(() => log.outcome('entry') !== undefined, 30_000, 'the outcome');
  const outcome = log.outcome('entry');
  assert.ok(outcome?.type === 'finished', JSON.stringify(outcome));
  if (outcome?.type === 'finished') {
    assert.equal([outcome.result.verdict, outcome.result.provenance.entry], ['CE', 'main.c']);
    assert.match(outcome.result.output, /The entry file main\.c is not in the submission/);
  }
});

test("a grader's fault (its grader.yaml broken after it was taken) fails the job at once with its code, never retried", async () => {
  const grader = tempDir();
  cpSync(SUM_C, grader, { recursive: true });
  const { queue, log, root, pool } = await setup({ broken: join(SUM_C, 'submissions', 'accepted.c') });
  const backend = new DirectoryBackend({ root, graderDirs: [grader], results: log.handler });
  await queue.enqueue(gradingJob({ submissionId: 'broken', gradeNumber: 1, graderDigest: loadGrader(grader).digest }));
  writeFileSync(join(grader, 'grader.yaml'), 'language: cobol\ntests: []\n');
  await pool({ backend });
  await until(() => log.outcome('broken') !== undefined, 30_000, 'the outcome');
  const outcome = log.outcome('broken');
  assert.ok(outcome?.type === 'failed' && outcome.userError && outcome.code === 'E_GRADER_INVALID', JSON.stringify(outcome));
  if (outcome?.type === 'failed') assert.match(outcome.reason, /field language: expected one of c, cpp, python, java, javascript, go, a list of them, or any, got "cobol"/);
  // `failed` is sent just before the job fails in BullMQ.
  await until(async () => (await (await queue.queue.getJob('broken.1'))!.getState()) === 'failed', 5000, 'the job to fail');
  assert.is((await queue.queue.getJob('broken.1'))!.attemptsMade, 1);
  assert.is(log.starts().length, 1, 'one try only');
});

/**
 * The retry policy with a grading function that is the real pipeline, except that its first
 * `failures` calls return a not-gradable result as a failed sandbox would (a real IE is provoked by
 * killing a supervisor in crash-recovery.test.ts).
 */
function failingFirst(failures: number): GradeFunction {
  let calls = 0;
  return async (options) => {
    const result = await gradeSubmission(options);
    calls += 1;
    if (calls > failures) return result;
    return { ...result, gradable: false, verdict: 'IE', internal_problems: ['test: the sandbox failed'] } satisfies GradeResult;
  };
}

test('an internal failure (IE) is retried, and gives up after the allowed attempts', async () => {
  const { queue, log, pool } = await setup({ once: join(SUM_C, 'submissions', 'accepted.c') }, { attempts: 3, backoffMs: 50 });
  await enqueue(queue, 'once');
  const first = await pool({ grade: failingFirst(1), concurrency: 1 });
  await until(() => log.outcome('once') !== undefined, 30_000, 'the retried job');
  assert.is(log.outcome('once')?.type, 'finished');
  assert.equal(log.starts().map((m) => m.attempt), [1, 2]);
  await first.pool.close();

  await enqueue(queue, 'once', 2);
  await pool({ grade: failingFirst(99), concurrency: 1 });
  await until(() => log.outcome('once', 2) !== undefined, 30_000, 'the job that always fails');
  const failed = log.outcome('once', 2);
  assert.ok(failed?.type === 'failed' && !failed.userError, JSON.stringify(failed));
  if (failed?.type === 'failed') assert.match(failed.reason, /gave up after 3 attempt\(s\): the sandbox failed \(IE\): test: the sandbox failed/);
  assert.is(log.starts().filter((m) => m.gradeNumber === 2).length, 3);
  await until(async () => (await (await queue.queue.getJob('once.2'))!.getState()) === 'failed', 5000, 'the job to fail');
  assert.is((await queue.queue.getJob('once.2'))!.attemptsMade, 3);
});

test('a result the API refuses for good is not graded again: the job fails at once and says why', async () => {
  const { queue, log, prefix, root } = await setup({ refused: join(SUM_C, 'submissions', 'accepted.c') }, { attempts: 3, backoffMs: 50 });
  await enqueue(queue, 'refused');
  const sink = new LogSink();
  const pool = new WorkerPool({
    jobKey: JOB_KEY,
    connection: await connection(redisServer.server(), 'worker'), prefix, cpus: ['0'], logStream: sink,
    backend: new DirectoryBackend({
      root, graderDirs: [SUM_C],
      results: async (message) => {
        if (message.type === 'finished') throw new InternalError(RESULT_REFUSED, 'HTTP 404 no grading 1 of refused');
        await log.handler(message);
      },
    }),
  });
  closers.push(() => pool.close());
  await until(async () => (await (await queue.queue.getJob('refused.1'))?.getState()) === 'failed', 30_000, 'the job to fail');
  assert.is((await queue.queue.getJob('refused.1'))!.attemptsMade, 1, 'not retried');
  assert.is(sink.lines.filter((l) => l.msg === 'grading').length, 1, 'graded once');
  const failed = log.outcome('refused');
  assert.ok(failed?.type === 'failed' && /the API refused the result: HTTP 404/.test(failed.reason), JSON.stringify(failed));
});

test('close waits for the job in flight; past the grace period it hands the job back to another worker', async () => {
  const slow = join(SUM_C, 'submissions', 'tle.c'); // about 3 s of CPU-time limits
  const { queue, log, pool } = await setup({ a: slow, b: slow });
  await enqueue(queue, 'a');
  const patient = await pool({ concurrency: 1 });
  await until(() => log.starts().length === 1, 10_000, 'a to start');
  await patient.pool.close();
  assert.is(await (await queue.queue.getJob('a.1'))!.getState(), 'completed', 'close returned after the job finished');
  await until(() => log.outcome('a') !== undefined, 5000, "a's result");
  assert.is(log.outcome('a')?.type, 'finished');

  await enqueue(queue, 'b');
  const hasty = await pool({ concurrency: 1, graceMs: 200 });
  await until(() => log.starts().length === 2, 10_000, 'b to start');
  await sleep(300);
  await hasty.pool.close();
  assert.ok(['prioritized', 'waiting'].includes(await (await queue.queue.getJob('b.1'))!.getState()), 'b is back in the queue');
  assert.ok(hasty.sink.lines.some((l) => l.msg === 'grace period over: handing the jobs in flight back'));
  await pool({ concurrency: 1, workerId: 'second' });
  await until(() => log.outcome('b') !== undefined, 30_000, 'b to finish on the second worker');
  const outcome = log.outcome('b');
  assert.ok(outcome?.type === 'finished' && outcome.result.verdict === 'TLE');
  assert.equal(log.starts().filter((m) => m.submissionId === 'b').map((m) => m.workerId).slice(-1), ['second']);
  await until(() => hasty.pool.abandonedJobs === 0, 15_000, "the handed-back grading's sandboxes to end");
  assert.is(log.of('finished').filter((m) => m.submissionId === 'b').length, 1, 'the first worker sent no result for b');
});

test('a job taken ahead of a free slot waits for it, and goes back to the queue at shutdown', async () => {
  const slow = join(SUM_C, 'submissions', 'tle.c'); // about 3 s of CPU-time limits
  const { queue, log, pool } = await setup({ a: slow, b: join(SUM_C, 'submissions', 'accepted.c') });
  await enqueue(queue, 'a');
  await enqueue(queue, 'b');
  const one = await pool({ concurrency: 1 }); // and, by default, one job taken ahead
  await until(() => log.starts().length === 1, 10_000, 'a to start');
  await until(async () => (await (await queue.queue.getJob('b.1'))!.getState()) === 'active', 5000, 'b to be taken ahead');
  assert.is(one.pool.activeJobs, 2);
  assert.equal(log.starts().map((m) => m.submissionId), ['a'], 'b waits for the one slot');
  await one.pool.close();
  assert.is(await (await queue.queue.getJob('a.1'))!.getState(), 'completed', 'the grading in flight finished');
  assert.ok(['prioritized', 'waiting'].includes(await (await queue.queue.getJob('b.1'))!.getState()), 'b went back without being graded');
  assert.is(log.starts().filter((m) => m.submissionId === 'b').length, 0);
  await pool({ concurrency: 1, workerId: 'second' });
  await until(() => log.outcome('b') !== undefined, 30_000, 'b graded by the next worker');
  const b = log.outcome('b');
  assert.ok(b?.type === 'finished' && b.result.verdict === 'AC', JSON.stringify(b));
  assert.equal(log.starts().filter((m) => m.submissionId === 'b').map((m) => m.workerId), ['second']);
});

test.run();
