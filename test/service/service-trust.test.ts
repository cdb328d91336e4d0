// Attacks on the trust between `gradebox start` (root), the service account and the queue: links
// the account plants in the data folder it owns, a data folder left open to every local user, an
// instructor's grader folder edited after it was added, and a job queued by hand for a real
// submission. After each, a root-owned canary outside the data folder is unchanged.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, lstatSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { config } from '../../services/common/config.js';
import { fromPackageRoot } from '../../services/common/package-root.js';
import { loadGrader } from '../../services/grading/load-grader.js';
import { CLI, startLocalService, type LocalService } from '../../services/bench/local-service.js';
import { readSubmission, uploadSubmission, waitUntilGraded } from '../../services/bench/portal-client.js';
import { startStateDir } from '../../services/starter/start-state.js';
import { connectRedis, waitForRedis } from '../../services/queue/redis-connection.js';
import { until } from '../support/queue-fixtures.js';
import { removeTempDirs, tempDir } from '../support/helpers.js';

const SUM_C = fromPackageRoot('graders', 'sum-c');
const submission = (name: string) => ({ 'main.c': readFileSync(join(SUM_C, 'submissions', name)) });

let service: LocalService;
let canary: { file: string; text: string };

test.before(async () => {
  // A folder that exists before the first start, open as a plain mkdir leaves it, with a leftover file.
  service = await startLocalService({
    workers: 1,
    prepare: (dataDir) => {
      chmodSync(dataDir, 0o755);
      writeFileSync(join(dataDir, 'notes.txt'), 'left here by an operator\n', { mode: 0o644 });
    },
  });
  const dir = tempDir('gradebox-canary-');
  canary = { file: join(dir, 'canary'), text: `root's own, ${Date.now()}\n` };
  writeFileSync(canary.file, canary.text, { mode: 0o600 });
});
test.after(async () => {
  await service?.stop();
  removeTempDirs();
});

/** Runs a command as the service account, as a compromised API could. */
function asServiceAccount(argv: string[]): void {
  const user = config().serviceUser;
  execFileSync('setpriv', ['--reuid', user, '--regid', user, '--clear-groups', '--', ...argv], { stdio: 'pipe' });
}

function assertCanaryUntouched(): void {
  const st = statSync(canary.file);
  assert.is(readFileSync(canary.file, 'utf8'), canary.text, 'the canary\'s content');
  assert.equal([st.uid, st.gid, st.mode & 0o7777], [0, 0, 0o600], 'the canary\'s owner and mode');
}

/** Runs `gradebox assignments add` for the demo course (as root, as an operator does); returns what it printed. */
function addAssignment(name: string, dir: string): string {
  return execFileSync(process.execPath, [CLI, 'assignments', 'add', '--course', 'demo', '--name', name, '--grader', dir, '--data', service.dataDir], { encoding: 'utf8' });
}

test('a data folder that existed with open modes is made private: the folder 0700, nothing inside for group or others', async () => {
  const sent = await uploadSubmission(service, { assignment: 'sum-c', student: 'modes' }, { 'main.c': Buffer.concat([Buffer.alloc(300 * 1024, ' '), submission('accepted.c')['main.c']]) });
  assert.is(sent.status, 202, JSON.stringify(sent.body));
  await waitUntilGraded(service, sent.body.id!);
  assert.is(statSync(service.dataDir).mode & 0o777, 0o700, 'the data folder');
  const open: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const st = lstatSync(path);
      if (st.isSocket() || st.isSymbolicLink()) continue;
      if (st.mode & 0o077) open.push(`${path.slice(service.dataDir.length)} ${(st.mode & 0o777).toString(8)}`);
      if (st.isDirectory()) walk(path);
    }
  };
  walk(service.dataDir);
  assert.equal(open, [], 'files and folders group or others may use');
  for (const name of ['gradebox.sqlite', 'blobs', 'staging', 'redis', 'notes.txt']) assert.ok(readdirSync(service.dataDir).includes(name), name);
  assert.ok(readdirSync(join(service.dataDir, 'blobs')).length > 1, 'a blob was stored');
});

test('assignments add snapshots the grader: the instructor\'s folder edited or removed later changes nothing until it is added again', async () => {
  const dir = join(tempDir('gradebox-instructor-'), 'sum-snap');
  cpSync(SUM_C, dir, { recursive: true });
  // Its own digest (two points for the sample), so no worker has it cached already.
  writeFileSync(join(dir, 'grader.yaml'), readFileSync(join(dir, 'grader.yaml'), 'utf8').replace('points: 1', 'points: 2'));
  const first = addAssignment('snap', dir);
  const digest = loadGrader(dir).digest;
  assert.match(first, new RegExp(`assignment snap of course demo: grader ${dir} \\(${digest.slice(0, 12)}\\)`));
  // Edited after it was added: the snapshot is what grades.
  writeFileSync(join(dir, 'tests', '1.out'), '999\n');
  const graded = await waitUntilGraded(service, (await uploadSubmission(service, { assignment: 'snap', student: 'snap1' }, submission('accepted.c'))).body.id!);
  assert.is(graded.status, 'graded', JSON.stringify(graded));
  assert.is(graded.result.verdict, 'AC');
  assert.is(graded.result.provenance.grader_digest, digest);

  const again = addAssignment('snap', dir);
  const edited = loadGrader(dir).digest;
  assert.match(again, new RegExp(`grader changed: ${digest.slice(0, 12)} → ${edited.slice(0, 12)}`));
  assert.match(again, /files changed: tests\/1\.out\n/);
  assert.not.match(again, /tests (added|removed)/);
  assert.match(addAssignment('snap', dir), /grader unchanged \(/);
  writeFileSync(join(dir, 'grader.yaml'), `${readFileSync(join(dir, 'grader.yaml'), 'utf8')}  - { name: extra, stdin: tests/1.in, expect: tests/1.out }\n`);
  assert.match(addAssignment('snap', dir), /tests added: extra\n/);
  // The folder is gone: gradings use the stored snapshot.
  rmSync(dir, { recursive: true });
  const regraded = await waitUntilGraded(service, (await uploadSubmission(service, { assignment: 'snap', student: 'snap2' }, submission('accepted.c'))).body.id!);
  assert.is(regraded.status, 'graded', JSON.stringify(regraded));
  assert.is(regraded.result.verdict, 'WA', 'graded against the edited expected output');
  assert.ok(regraded.result.tests.some((t: { name: string }) => t.name === 'extra'), 'the added test ran');
  assertCanaryUntouched();
});

test('a job queued by hand for a real submission, carrying other files, is not graded', async () => {
  const sent = await uploadSubmission(service, { assignment: 'sum-c', student: 'forger' }, submission('wrong.c'));
  const id = sent.body.id!;
  assert.is((await waitUntilGraded(service, id)).result.verdict, 'WA');
  // Anyone who can write to Redis: the job of the regrade about to be asked for, with an accepted
  // program instead of the student's, held back until the API has asked (its own job is then a duplicate).
  const redis = connectRedis(`unix://${join(service.dataDir, 'redis', 'redis.sock')}`, { profile: 'api' });
  const queue = new Queue('grading', { connection: redis, prefix: 'gradebox' });
  try {
    await waitForRedis(redis, 5000);
    const accepted = submission('accepted.c')['main.c'];
    await queue.add('regrade', {
      submissionId: id, gradeNumber: 2, courseId: 'demo', graderDigest: loadGrader(SUM_C).digest, kind: 'regrade', enqueuedAt: new Date().toISOString(),
      files: [{ path: 'main.c', sha256: createHash('sha256').update(accepted).digest('hex'), base64: accepted.toString('base64') }],
    }, { jobId: `${id}.2`, delay: 3000, attempts: 1 });
    const regrade = await fetch(`${service.url}/v1/submissions/${id}/regrade`, { method: 'POST', headers: { authorization: `Bearer ${service.key}` } });
    assert.is(regrade.status, 202);
    let state = '';
    await until(async () => ['completed', 'failed'].includes(state = await (await queue.getJob(`${id}.2`))!.getState()), 60_000, 'the forged job to be taken');
    assert.is(state, 'failed', 'the forged job is refused');
    assert.match((await queue.getJob(`${id}.2`))!.failedReason, /not signed/);
    await new Promise((r) => setTimeout(r, 1000));
    const now = await readSubmission(service, id);
    assert.is(now.result.verdict, 'WA', 'the stored grade is the student\'s own');
    assert.not.equal(now.status, 'graded', 'no grading 2 came from the forged job');
  } finally {
    await queue.close();
    redis.disconnect();
  }
  assertCanaryUntouched();
});

test('links the service account plants where root used to write or read: root follows none of them', async () => {
  const data = service.dataDir;
  // gradebox start rewrote processes.json.new here every second.
  asServiceAccount(['ln', '-s', canary.file, join(data, 'processes.json.new')]);
  // The worker read its token here as root (and sent it to the API).
  asServiceAccount(['rm', '-f', join(data, 'worker-token')]);
  asServiceAccount(['ln', '-s', canary.file, join(data, 'worker-token')]);
  const { worker } = service.pids();
  assert.ok(worker, 'start has recorded its worker');
  process.kill(worker!, 'SIGKILL'); // start runs a new one, which reads the token again
  await until(() => /worker-token[^\n]*symbolic link/.test(service.output()), 20_000, 'the new worker to refuse the linked token');
  await new Promise((r) => setTimeout(r, 2500)); // start has written its process list twice since
  assertCanaryUntouched();
  assert.not.ok(service.output().includes(canary.text.trim()), 'the canary\'s content shows nowhere');
  assert.ok(service.pids().api, 'start still records its processes');
  const state = statSync(startStateDir(data));
  assert.equal([state.uid, state.mode & 0o777], [0, 0o700], 'in a folder of root\'s under the run dir');
  assert.not.ok(existsSync(join(data, 'processes.json')), 'not in the data folder');
});

test.run();
