// gradebox start killed with SIGKILL mid-grading, ten times in a row on one data folder and port:
// each time nothing of it is left before the next start (no process, no sandbox cgroup, no mount,
// no Redis socket, nothing on the port), so no orphan hands its results to the next service. The
// jobs it held are not lost: after the last start every submission has ended, once.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { config } from '../../services/common/config.js';
import { fromPackageRoot } from '../../services/common/package-root.js';
import { alive, freePort, startLocalService, type LocalService } from '../../services/bench/local-service.js';
import { uploadSubmission, waitUntilGraded } from '../../services/bench/portal-client.js';
import { descendants, slotCgroupsOf } from '../support/process-tree.js';
import { tempDir, removeTempDirs } from '../support/helpers.js';
import { until } from '../support/queue-fixtures.js';

const KILLS = 10;
const TLE = { 'main.c': readFileSync(fromPackageRoot('graders', 'sum-c', 'submissions', 'tle.c')) };

test.after.each(removeTempDirs);

/** The outcome events (graded, error) of a submission, fetched over SSE: exactly one per grading that ended. */
async function outcomeEvents(service: LocalService, id: string): Promise<number> {
  const response = await fetch(`${service.url}/v1/submissions/${id}/events`, { headers: { authorization: `Bearer ${service.key}` } });
  return [...(await response.text()).matchAll(/^event: (graded|error)$/gm)].length;
}

/** A submission's whole record, as operators see it. */
async function operatorRecord(service: LocalService, id: string): Promise<unknown> {
  const token = readFileSync(join(service.dataDir, 'operator-token'), 'utf8').trim();
  return (await fetch(`${service.url}/operator/v1/submissions/${id}`, { headers: { authorization: `Bearer ${token}` } })).json();
}

/** Mount points under the data folder or the run dir (the host's mount table). */
function mountsUnder(...dirs: string[]): string[] {
  const points = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((line) => line.split(' ')[4] ?? '');
  return points.filter((point) => dirs.some((dir) => point === dir || point.startsWith(`${dir}/`)));
}

/** Unix sockets left in the private Redis's folder. */
function socketsIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((name) => statSync(join(dir, name)).isSocket());
}

/** Starts a service, puts a submission on its worker's CPU, SIGKILLs start; returns the submission's id once nothing of it is left. */
async function killMidGrading(dataDir: string, port: number, key: string | undefined, round: number): Promise<{ id: string; key: string }> {
  const service = await startLocalService({ dataDir, port, key, workers: 1 });
  try {
    const id = (await uploadSubmission(service, { assignment: 'sum-c', student: `kill-${round}` }, TLE)).body.id!;
    await until(() => service.pids().worker !== null, 30_000, 'start to record its worker');
    const { worker } = service.pids();
    await until(() => slotCgroupsOf(descendants(worker!)).length > 0, 60_000, 'a sandbox of the worker running');
    const processes = [service.child.pid!, ...descendants(service.child.pid!)];
    const cgroups = slotCgroupsOf(processes);
    service.child.kill('SIGKILL');
    // Every process start ran, down to the sandboxes, ends on its own, and quickly: long before the
    // worker's 120 s grace, and before a next start could come up.
    await until(() => !processes.some(alive), 20_000, `round ${round}: every process of the killed start to end (left: ${processes.filter(alive).join(' ')})`);
    await until(() => cgroups.every((dir) => !existsSync(dir)), 10_000, `round ${round}: its sandbox cgroups removed`);
    assert.equal(mountsUnder(dataDir, config().runDir), [], `round ${round}: no mount left`);
    assert.equal(socketsIn(join(dataDir, 'redis')), [], `round ${round}: no Redis socket left`);
    assert.not.ok(await fetch(`${service.url}/healthz`).then(() => true, () => false), `round ${round}: nothing answers on the port`);
    return { id, key: service.key };
  } finally {
    await service.stop();
  }
}

test(`gradebox start killed ${KILLS} times in a row mid-grading: nothing of it is left each time, and every submission ends once`, async () => {
  const dataDir = tempDir('gradebox-killed-');
  const port = await freePort();
  const ids: string[] = [];
  let key: string | undefined;
  for (let round = 1; round <= KILLS; round += 1) {
    const killed = await killMidGrading(dataDir, port, key, round);
    ids.push(killed.id);
    key = killed.key;
  }
  const service = await startLocalService({ dataDir, port, key, workers: 2 });
  try {
    for (const id of ids) {
      // A job the next start took up and was killed grading again may have killed its worker too
      // often: it then fails for good (worker-pool.ts, maxStalls), an ending too, and never lost.
      const ended = await waitUntilGraded(service, id, 180_000);
      if (ended.status === 'graded') assert.is(ended.result.verdict, 'TLE');
      const record = await operatorRecord(service, id);
      if (ended.status === 'error') assert.match(JSON.stringify(record), /the worker grading this job died \d+ times/);
      assert.is(await outcomeEvents(service, id), 1, `${id} ended once`);
    }
  } finally {
    await service.stop();
  }
});

test.run();
