// A deadline burst: 500 submissions over 2 workers, all graded exactly once (one attempt, one
// result, one graded event each), none lost, none duplicated.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import Database from 'better-sqlite3';

import { inPool } from '../../services/common/in-pool.js';
import { ECHO_SUBMISSION, writeEchoGrader } from '../../services/bench/service-bench.js';
import { CLI, startLocalService, type LocalService } from '../../services/bench/local-service.js';
import { readSubmission, uploadSubmission, waitUntilGraded } from '../../services/bench/portal-client.js';

const BURST = 500;
const UPLOADS_AT_ONCE = 8;

let service: LocalService;
test.before(async () => {
  service = await startLocalService({ workers: 2 });
});
test.after(async () => {
  await service?.stop();
});

function addEchoAssignment(): void {
  const dir = writeEchoGrader(join(service.dataDir, 'echo-grader'));
  execFileSync(process.execPath, [CLI, 'assignments', 'add', '--course', 'demo', '--name', 'echo', '--grader', dir, '--data', service.dataDir]);
}

test(`a burst of ${BURST} submissions over 2 workers: each graded exactly once`, async () => {
  addEchoAssignment();
  const files = { 'main.py': ECHO_SUBMISSION };
  const ids: string[] = [];
  await inPool(BURST, UPLOADS_AT_ONCE, async (i) => {
    const sent = await uploadSubmission(service, { assignment: 'echo', student: `student-${i}` }, files);
    assert.is(sent.status, 202, JSON.stringify(sent.body));
    ids[i] = sent.body.id!;
  });
  assert.is(new Set(ids).size, BURST);
  for (const id of ids) assert.is((await waitUntilGraded(service, id, 600_000)).result.verdict, 'AC');

  const db = new Database(join(service.dataDir, 'gradebox.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const one = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    assert.is(one('SELECT count(*) AS n FROM submissions'), BURST);
    assert.is(one(`SELECT count(*) AS n FROM submissions WHERE status = 'graded'`), BURST);
    assert.is(one('SELECT count(*) AS n FROM results'), BURST, 'one result each');
    assert.is(one('SELECT count(*) AS n FROM attempts'), BURST, 'one attempt each: nothing graded twice');
    assert.is(one(`SELECT count(*) AS n FROM events WHERE type = 'graded'`), BURST);
    assert.is(one('SELECT count(*) AS n FROM outbox'), 0, 'the outbox is drained');
  } finally {
    db.close();
  }
});

test.run();
