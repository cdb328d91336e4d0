// gradebox's Standard Webhooks signatures against the reference library (standardwebhooks): what
// gradebox signs the library verifies (one secret, or two during a rotation), what the library
// signs gradebox verifies, and gradebox refuses what the spec says to refuse. Also the retry
// schedule's arithmetic and the durations settings are written in.
import { Webhook } from 'standardwebhooks';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { parseDuration } from '../../services/common/durations.js';
import { newWebhookSecret } from '../../services/protocol/webhook-secret.js';
import { retryAfterMs, retryDelayMs } from '../../services/webhooks/retry-schedule.js';
import { signatureOf, signatureProblem, signedHeaders } from '../../services/webhooks/signature.js';

// The reference library's own example.
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const BODY = Buffer.from('{"test": 2432232314}');
const FIVE_MINUTES = 5 * 60_000;

test('a signature is the reference library\'s, byte for byte', () => {
  const at = new Date(1614265330 * 1000);
  assert.is(signatureOf(SECRET, ID, 1614265330, BODY), new Webhook(SECRET).sign(ID, at, BODY.toString()));
});

test('the reference library verifies gradebox\'s headers, with either secret of a rotation', () => {
  const [current, previous] = [newWebhookSecret(), newWebhookSecret()];
  const now = Math.floor(Date.now() / 1000);
  const headers = signedHeaders([current, previous], ID, now, BODY);
  assert.is(headers['webhook-signature'].split(' ').length, 2);
  assert.equal(new Webhook(current).verify(BODY.toString(), { ...headers }), { test: 2432232314 });
  assert.equal(new Webhook(previous).verify(BODY.toString(), { ...headers }), { test: 2432232314 });
  assert.throws(() => new Webhook(newWebhookSecret()).verify(BODY.toString(), { ...headers }), /No matching signature/);
});

test('gradebox verifies what the reference library signs, and refuses what the spec says to refuse', () => {
  const now = Date.now();
  const signed = (at: number, secret = SECRET, body = BODY) => ({
    'webhook-id': ID, 'webhook-timestamp': String(Math.floor(at / 1000)), 'webhook-signature': new Webhook(secret).sign(ID, new Date(at), body.toString()),
  });
  assert.is(signatureProblem([SECRET], signed(now), BODY, FIVE_MINUTES), null);
  assert.is(signatureProblem([newWebhookSecret(), SECRET], signed(now), BODY, FIVE_MINUTES), null, 'any of the secrets');
  const withOthers = { ...signed(now), 'webhook-signature': `v1a,xyz v1,AAAA ${signed(now)['webhook-signature']}` };
  assert.is(signatureProblem([SECRET], withOthers, BODY, FIVE_MINUTES), null, 'other entries and versions are skipped');
  assert.is(signatureProblem([SECRET], signed(now), Buffer.from('{"test": 2432232315}'), FIVE_MINUTES), 'no signature matches');
  assert.is(signatureProblem([newWebhookSecret()], signed(now), BODY, FIVE_MINUTES), 'no signature matches');
  assert.is(signatureProblem([SECRET], { ...signed(now), 'webhook-id': 'msg_other' }, BODY, FIVE_MINUTES), 'no signature matches', 'the id is signed');
  assert.is(signatureProblem([SECRET], signed(now - FIVE_MINUTES - 2000), BODY, FIVE_MINUTES), 'timestamp too old');
  assert.is(signatureProblem([SECRET], signed(now + FIVE_MINUTES + 2000), BODY, FIVE_MINUTES), 'timestamp too new');
  assert.is(signatureProblem([SECRET], { ...signed(now), 'webhook-timestamp': '1e9' }, BODY, FIVE_MINUTES), 'timestamp not a number');
  assert.is(signatureProblem([SECRET], { 'webhook-id': ID }, BODY, FIVE_MINUTES), 'missing headers');
});

test('a secret is whsec_ and 32 random bytes in base64', () => {
  const secret = newWebhookSecret();
  assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
  assert.is(Buffer.from(secret.slice(6), 'base64').length, 32);
  assert.is.not(secret, newWebhookSecret());
});

test('the retry schedule: the next delay spread by ±10 %, Retry-After as a floor (up to the longest delay), none after the last', () => {
  const schedule = [0, 5000, 300_000, 1_800_000];
  assert.is(retryDelayMs(schedule, 1, null, () => 0), 4500);
  assert.is(retryDelayMs(schedule, 1, null, () => 1), 5500);
  assert.is(retryDelayMs(schedule, 2, null, () => 0.5), 300_000);
  assert.is(retryDelayMs(schedule, 1, 60_000, () => 0.5), 60_000, 'Retry-After beyond the schedule\'s next delay');
  assert.is(retryDelayMs(schedule, 1, 1000, () => 0.5), 5000, 'Retry-After sooner than the schedule');
  assert.is(retryDelayMs(schedule, 1, 86_400_000 * 30, () => 0.5), 1_800_000, 'capped at the longest delay');
  assert.is(retryDelayMs(schedule, 4, null), null);
  assert.is(retryAfterMs('120'), 120_000);
  const dated = retryAfterMs(new Date(Date.now() + 30_000).toUTCString()) ?? 0;
  assert.ok(dated > 28_000 && dated <= 30_000, 'an HTTP date (whole seconds)');
  assert.is(retryAfterMs('soon'), null);
  assert.is(retryAfterMs(undefined), null);
});

test('durations in settings: a number and a unit, or 0', () => {
  assert.equal(['0', '500ms', '5s', '5m', '2h', '5d'].map(parseDuration), [0, 500, 5000, 300_000, 7_200_000, 432_000_000]);
  assert.equal(['5', '-1s', '1.5h', 'soon', ''].map(parseDuration), [null, null, null, null, null]);
});

test.run();
