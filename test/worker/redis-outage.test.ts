// Redis stops for 10 s while submissions keep coming and jobs are being graded: the API fails fast
// (its outbox keeps what it could not enqueue), workers wait, and once Redis is back on the same
// append-only dir every accepted submission is graded exactly once.
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { InternalError } from '../../services/common/errors.js';
import type { GradingJob } from '../../services/protocol/grading-job.js';
import { GradingQueue } from '../../services/queue/grading-queue.js';
import { startPrivateRedis, type PrivateRedis } from '../../services/queue/private-redis.js';
import { WorkerPool } from '../../services/worker/worker-pool.js';
import { DirectoryBackend } from '../support/directory-backend.js';
import { removeTempDirs } from '../support/helpers.js';
import { closeConnections, connection, gradingJob, privateRedis, randomPrefix, ResultLog, sleep, until, JOB_KEY } from '../support/queue-fixtures.js';
import { LogSink, SUM_C, sumCDigest, submissionsRoot } from './worker-fixtures.js';

const OUTAGE_MS = 10_000;
let server: PrivateRedis;
const closers: Array<() => Promise<void>> = [];

test.after(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  closeConnections();
  await server.stop();
  removeTempDirs();
});

/** What the API's outbox does: a job stays until an enqueue of it succeeded. */
class Outbox {
  readonly pending = new Map<string, GradingJob>();
  failures = 0;
  slowestFailureMs = 0;

  constructor(private readonly queue: GradingQueue) {}

  async submit(job: GradingJob): Promise<void> {
    this.pending.set(job.submissionId, job);
    await this.relay();
  }

  async relay(): Promise<void> {
    for (const [id, job] of this.pending) {
      const started = Date.now();
      try {
        await this.queue.enqueue(job);
        this.pending.delete(id);
      } catch (error) {
        if (!(error instanceof InternalError)) throw error;
        this.failures += 1;
        this.slowestFailureMs = Math.max(this.slowestFailureMs, Date.now() - started);
      }
    }
  }
}

test('a 10 s Redis outage while submissions arrive: all accepted submissions are graded once Redis is back', async () => {
  server = await privateRedis();
  const files = { accepted: 'accepted.c', wrong: 'wrong.c', crash: 'crash.c' } as const;
  const verdicts = { accepted: 'AC', wrong: 'WA', crash: 'RE' } as const;
  const ids = Array.from({ length: 12 }, (_, i) => `out-${i}-${Object.keys(files)[i % 3]}`);
  const kind = (id: string): keyof typeof files => id.split('-')[2] as keyof typeof files;
  const root = submissionsRoot(Object.fromEntries(ids.map((id) => [id, join(SUM_C, 'submissions', files[kind(id)])])));
  const prefix = randomPrefix();
  const queue = new GradingQueue({ connection: await connection(server, 'api'), prefix, jobKey: JOB_KEY });
  closers.push(() => queue.close());
  const log = new ResultLog();
  const pool = new WorkerPool({
    jobKey: JOB_KEY,
    connection: await connection(server, 'worker'), prefix, backend: new DirectoryBackend({ root, graderDirs: [SUM_C], results: log.handler }),
    cpus: ['0', '1'], logStream: new LogSink(),
  });
  closers.push(() => pool.close());
  const outbox = new Outbox(queue);
  const job = (id: string): GradingJob => gradingJob({ submissionId: id, graderDigest: sumCDigest() });

  for (const id of ids.slice(0, 6)) await outbox.submit(job(id));
  assert.is(outbox.pending.size, 0);
  await until(() => log.starts().length > 0, 10_000, 'grading to begin');

  const dir = server.dir;
  await server.stop();
  assert.ok(log.outcomes.size < 6, 'some of the first jobs were still queued or in flight when Redis stopped');
  const down = Date.now();
  for (const id of ids.slice(6)) {
    await outbox.submit(job(id));
    await sleep(OUTAGE_MS / 8);
  }
  assert.is(outbox.pending.size, 6, 'submissions during the outage wait in the outbox');
  assert.ok(outbox.slowestFailureMs < 500, `the API failed fast (slowest ${outbox.slowestFailureMs} ms)`);
  await sleep(Math.max(0, OUTAGE_MS - (Date.now() - down)));

  server = await startPrivateRedis({ dir });
  await until(async () => { await outbox.relay(); return outbox.pending.size === 0; }, 15_000, 'the outbox to drain');
  for (const id of ids) assert.is((await queue.enqueue(job(id))).added, false, `re-sending ${id} is a no-op`);
  await until(() => log.outcomes.size === ids.length, 60_000, `every submission graded (have ${log.outcomes.size})`);
  for (const id of ids) {
    const outcome = log.outcome(id);
    assert.ok(outcome?.type === 'finished' && outcome.result.verdict === verdicts[kind(id)], `${id}: ${JSON.stringify(outcome)}`);
  }
  assert.is(log.of('finished').length, ids.length, 'each finished exactly once');
});

test.run();
