// Delivering a result: failures that may pass are tried again with growing pauses, a refusal is
// final, and a job handed back stops the tries.
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { InternalError } from '../../services/common/errors.js';
import { deliver, RESULT_REFUSED } from '../../services/worker/result-delivery.js';
import { rejectionOf } from '../support/helpers.js';

test('a send that fails while the API is away is tried again until it goes through', async () => {
  const tries: number[] = [];
  const pauses: number[] = [];
  await deliver(async () => {
    tries.push(Date.now());
    if (tries.length < 4) throw new InternalError('E_API_UNREACHABLE', 'connect ECONNREFUSED');
  }, { firstDelayMs: 20, maxDelayMs: 50, onRetry: (_error, ms) => pauses.push(ms) });
  assert.is(tries.length, 4);
  assert.equal(pauses, [20, 40, 50], 'pauses double up to the cap');
  assert.ok(tries[3]! - tries[0]! >= 100, `waited between tries (${tries[3]! - tries[0]!} ms)`);
});

test('a refused message is not sent again', async () => {
  let tries = 0;
  const error = await rejectionOf(deliver(async () => {
    tries += 1;
    throw new InternalError(RESULT_REFUSED, 'HTTP 400 result message is invalid');
  }, { firstDelayMs: 10 }), 'a refusal');
  assert.is((error as InternalError).code, RESULT_REFUSED);
  assert.is(tries, 1);
});

test('the tries stop once the job is handed back, and none starts after', async () => {
  const handedBack = new AbortController();
  let tries = 0;
  const delivery = deliver(async () => {
    tries += 1;
    throw new InternalError('E_API_STATUS', 'HTTP 503');
  }, { firstDelayMs: 10_000, signal: handedBack.signal });
  setTimeout(() => handedBack.abort(), 50);
  const started = Date.now();
  const error = await rejectionOf(delivery, 'a handed-back job');
  assert.ok(Date.now() - started < 5000, 'the pause was cut short');
  assert.is((error as InternalError).code, 'E_API_STATUS', 'the last failure is what is reported');
  assert.is(tries, 1);
  await rejectionOf(deliver(async () => { tries += 1; }, { signal: handedBack.signal }), 'an already handed-back job');
  assert.is(tries, 1, 'nothing sent for a job no longer ours');
});

test.run();
