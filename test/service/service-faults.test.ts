// Faults while grading, nothing lost: a worker killed with SIGKILL mid-grading, Redis away for
// 10 s while submissions arrive, the API killed mid-burst. Every accepted submission is graded
// exactly once, and no sandbox is left behind. And gradebox start killed leaves no process.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { config } from '../../services/common/config.js';
import { fromPackageRoot } from '../../services/common/package-root.js';
import { giveTree } from '../../services/account/give-tree.js';
import { lookUpServiceUser } from '../../services/account/service-user.js';
import { startPrivateRedis, type PrivateRedis } from '../../services/queue/private-redis.js';
import { alive } from '../../services/bench/local-service.js';
import { CLI, startLocalService, type LocalService } from '../../services/bench/local-service.js';
import { readSubmission, uploadSubmission, waitUntilGraded } from '../../services/bench/portal-client.js';
import { descendants, slotCgroupsOf } from '../support/process-tree.js';
import { tempDir, removeTempDirs } from '../support/helpers.js';
import { until } from '../support/queue-fixtures.js';

const SUM_C = fromPackageRoot('graders', 'sum-c', 'submissions');
const source = (name: string) => ({ 'main.c': readFileSync(join(SUM_C, name)) });

test.after.each(removeTempDirs);

/** The graded events of a submission, fetched over SSE: exactly one per grading. */
async function gradedEvents(service: LocalService, id: string): Promise<number> {
  const response = await fetch(`${service.url}/v1/submissions/${id}/events`, { headers: { authorization: `Bearer ${service.key}` } });
  return [...(await response.text()).matchAll(/^event: graded$/gm)].length;
}

/** None of the old processes lives, and none of their cgroups holds one of them (a slot may be reused). */
function sandboxesGone(pids: number[], cgroups: string[]): boolean {
  if (pids.some(alive)) return false;
  return cgroups.every((dir) => !existsSync(dir) || !readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').some((p) => pids.includes(Number(p))));
}

test('a worker killed with SIGKILL mid-grading: its jobs are graded after the restart, once, and its sandboxes are gone', async () => {
  const service = await startLocalService({ workers: 2 });
  try {
    const ids: string[] = [];
    for (const name of ['tle.c', 'tle.c', 'accepted.c', 'wrong.c']) ids.push((await uploadSubmission(service, { assignment: 'sum-c', student: 'k' }, source(name))).body.id!);
    await until(async () => {
      const r = await fetch(`${service.url}/v1/submissions/${ids[0]}`, { headers: { authorization: `Bearer ${service.key}` } });
      return ((await r.json()) as { status: string }).status === 'running';
    }, 60_000, 'a submission running');
    const { worker } = service.pids();
    assert.ok(worker);
    await until(() => slotCgroupsOf(descendants(worker!)).length > 0, 60_000, 'a sandbox of the worker running');
    const sandboxProcesses = descendants(worker!);
    const cgroups = slotCgroupsOf(sandboxProcesses);
    process.kill(worker!, 'SIGKILL');
    const verdicts = [];
    for (const id of ids) verdicts.push((await waitUntilGraded(service, id, 120_000)).result.verdict);
    assert.equal(verdicts, ['TLE', 'TLE', 'AC', 'WA']);
    for (const id of ids) assert.is(await gradedEvents(service, id), 1);
    assert.is.not(service.pids().worker, worker, 'start ran a new worker');
    await until(() => sandboxesGone(sandboxProcesses, cgroups), 20_000, 'the killed worker\'s sandboxes gone');
  } finally {
    await service.stop();
  }
});

test('Redis stopped for 10 s while submissions arrive: all are accepted, and graded once it is back', async () => {
  const user = lookUpServiceUser(config().serviceUser);
  const dir = tempDir('gradebox-redis-');
  mkdirSync(join(dir, 'r'));
  giveTree(dir, user);
  let redis: PrivateRedis | null = await startPrivateRedis({ dir: join(dir, 'r'), uid: user.uid, gid: user.gid });
  const url = `unix://${redis.socketPath}`;
  const service = await startLocalService({ workers: 2, env: { REDIS_URL: url } });
  try {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await uploadSubmission(service, { assignment: 'sum-c', student: `r${i}` }, source('accepted.c'))).body.id!);
    await redis.stop();
    redis = null;
    const outage = Date.now();
    for (let i = 3; i < 9; i++) {
      const sent = await uploadSubmission(service, { assignment: 'sum-c', student: `r${i}` }, source(i % 2 ? 'wrong.c' : 'accepted.c'));
      assert.is(sent.status, 202, 'accepted while Redis is away');
      ids.push(sent.body.id!);
    }
    await new Promise((r) => setTimeout(r, Math.max(0, 10_000 - (Date.now() - outage))));
    redis = await startPrivateRedis({ dir: join(dir, 'r'), uid: user.uid, gid: user.gid });
    const verdicts = [];
    for (const id of ids) verdicts.push((await waitUntilGraded(service, id, 120_000)).result.verdict);
    assert.equal(verdicts, ['AC', 'AC', 'AC', 'WA', 'AC', 'WA', 'AC', 'WA', 'AC']);
    for (const id of ids) assert.is(await gradedEvents(service, id), 1);
  } finally {
    await service.stop();
    await redis?.stop();
  }
});

test('the API killed mid-burst: retried uploads (same Idempotency-Key) give one submission each, all graded', async () => {
  const service = await startLocalService({ workers: 2 });
  try {
    const files = source('accepted.c');
    const sendWithRetry = async (i: number): Promise<string> => {
      for (;;) {
        try {
          const sent = await uploadSubmission(service, { assignment: 'sum-c', student: `b${i}` }, files, { 'idempotency-key': `burst-${i}` });
          if (sent.status === 202) return sent.body.id as string;
        } catch {
          // connection refused or reset while the API restarts: the portal retries
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const burst: Array<Promise<string>> = [];
    for (let i = 0; i < 30; i++) {
      burst.push(sendWithRetry(i));
      if (i === 12) process.kill(service.pids().api!, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 30));
    }
    const ids = await Promise.all(burst);
    assert.is(new Set(ids).size, 30, 'one submission per idempotency key');
    for (const id of ids) assert.is((await waitUntilGraded(service, id, 180_000)).result.verdict, 'AC');
    for (const id of ids.slice(0, 5)) assert.is(await gradedEvents(service, id), 1);
  } finally {
    await service.stop();
  }
});

test('gradebox start killed with SIGKILL: its API, workers and private Redis end too', async () => {
  const service = await startLocalService({ workers: 2 });
  try {
    const { api, worker, redis } = service.pids();
    assert.ok([api, worker, redis].every((pid) => pid !== null && alive(pid)), 'all running');
    service.child.kill('SIGKILL');
    // Not the fixture's clean-up: they must end on their own, Redis first, and the API must not wait for it forever.
    await until(() => [api, worker, redis].every((pid) => !alive(pid!)), 30_000, 'the API, the worker and Redis to end');
  } finally {
    await service.stop();
  }
});

test.run();
