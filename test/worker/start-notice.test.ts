// When a grading announces its start: on its own once it has run a while, else carried by `finished`.
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { StartNotice } from '../../services/worker/start-notice.js';
import { sleep } from '../support/queue-fixtures.js';

const attempt = { workerId: 'w', attempt: 1 };

function notice(afterMs: number): { notice: StartNotice; sent: () => number } {
  let sent = 0;
  return { notice: new StartNotice(attempt, async () => { sent += 1; }, afterMs), sent: () => sent };
}

test('a grading that ends quickly sends no started: finished carries the start', async () => {
  const { notice: n, sent } = notice(200);
  n.begin();
  assert.equal(await n.carriedByOutcome(), attempt);
  await sleep(300);
  assert.is(sent(), 0, 'the timer was stopped');
});

test('a grading still running after the delay sends started once; finished carries nothing', async () => {
  const { notice: n, sent } = notice(20);
  n.begin();
  await sleep(100);
  assert.is(sent(), 1);
  assert.is(await n.carriedByOutcome(), undefined);
  await n.sendNow();
  assert.is(sent(), 1, 'never twice');
});

test('another end of a begun grading (a retry, a failure) sends started at once; one never begun sends nothing', async () => {
  const { notice: begun, sent } = notice(10_000);
  begun.begin();
  await begun.sendNow();
  assert.is(sent(), 1);
  assert.is(await begun.carriedByOutcome(), undefined);
  const { notice: waiting, sent: none } = notice(10);
  await waiting.sendNow();
  await sleep(50);
  assert.is(none(), 0, 'a job that never got a CPU did not start');
});

test.run();
