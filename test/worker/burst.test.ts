// A burst of 100 submissions (the service test sends 500 end to end) over two workers: every one graded, each exactly once.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { fromPackageRoot } from '../../services/common/package-root.js';
import { loadGrader } from '../../services/grading/load-grader.js';
import { GradingQueue } from '../../services/queue/grading-queue.js';
import type { PrivateRedis } from '../../services/queue/private-redis.js';
import { WorkerPool } from '../../services/worker/worker-pool.js';
import { DirectoryBackend } from '../support/directory-backend.js';
import { removeTempDirs, tempDir } from '../support/helpers.js';
import { closeConnections, connection, gradingJob, privateRedis, randomPrefix, ResultLog, until, JOB_KEY } from '../support/queue-fixtures.js';
import { LogSink, submissionsRoot } from './worker-fixtures.js';

const ECHO = fromPackageRoot('test', 'worker', 'fixtures', 'echo-python');
const JOBS = 100;

let server: PrivateRedis;
const closers: Array<() => Promise<void>> = [];

test.before(async () => {
  server = await privateRedis();
});
test.after(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  closeConnections();
  await server.stop();
  removeTempDirs();
});

test(`${JOBS} submissions from 4 courses over 2 workers: all graded, each exactly once`, async () => {
  const sources = tempDir();
  writeFileSync(join(sources, 'right.py'), 'print(input())\n');
  writeFileSync(join(sources, 'wrong.py'), 'print(input()[::-1])\n');
  const ids = Array.from({ length: JOBS }, (_, i) => `burst-${i}`);
  const root = submissionsRoot(Object.fromEntries(ids.map((id, i) => [id, join(sources, i % 5 === 0 ? 'wrong.py' : 'right.py')])));
  const prefix = randomPrefix();
  const queue = new GradingQueue({ connection: await connection(server, 'api'), prefix, jobKey: JOB_KEY });
  closers.push(() => queue.close());
  const log = new ResultLog();
  const digest = loadGrader(ECHO).digest;
  await Promise.all(ids.map((id, i) => queue.enqueue(gradingJob({ submissionId: id, courseId: `course-${i % 4}`, graderDigest: digest }))));
  const started = Date.now();
  for (const cpu of ['0', '1']) {
    const pool = new WorkerPool({
      jobKey: JOB_KEY,
      connection: await connection(server, 'worker'), prefix, backend: new DirectoryBackend({ root, graderDirs: [ECHO], results: log.handler }),
      cpus: [cpu], workerId: `worker-${cpu}`, logStream: new LogSink(),
    });
    closers.push(() => pool.close());
  }
  await until(() => log.outcomes.size === JOBS, 240_000, `all ${JOBS} outcomes (have ${log.outcomes.size})`);
  const seconds = (Date.now() - started) / 1000;
  await until(async () => (await queue.counts()).completed === JOBS, 5000, 'every job completed');
  for (const [i, id] of ids.entries()) {
    const outcome = log.outcome(id);
    assert.ok(outcome?.type === 'finished', `${id}: ${JSON.stringify(outcome)}`);
    if (outcome?.type === 'finished') assert.is(outcome.result.verdict, i % 5 === 0 ? 'WA' : 'AC', id);
  }
  const count = (type: 'started' | 'finished'): Map<string, number> => {
    const byId = new Map<string, number>();
    for (const m of log.of(type)) byId.set(m.submissionId, (byId.get(m.submissionId) ?? 0) + 1);
    return byId;
  };
  assert.equal([...count('started').values()].filter((n) => n !== 1), [], 'each started once');
  assert.equal([...count('finished').values()].filter((n) => n !== 1), [], 'each finished once');
  assert.is(log.of('finished').length, JOBS);
  const byWorker = new Map<string, number>();
  for (const m of log.starts()) byWorker.set(m.workerId, (byWorker.get(m.workerId) ?? 0) + 1);
  assert.ok((byWorker.get('worker-0') ?? 0) > JOBS / 5 && (byWorker.get('worker-1') ?? 0) > JOBS / 5, `both workers took a share: ${JSON.stringify([...byWorker])}`);
  console.log(`  ${JOBS} jobs in ${seconds.toFixed(1)} s (${(JOBS / seconds).toFixed(1)} jobs/s)`);
});

test.run();
