// LTI grade passback (AGS) to a platform simulated on loopback: Score bodies checked field by field
// for a Canvas-shaped and a Moodle-shaped line item URL (its query string kept), Pending while
// grading, Failed and no score for gradebox's own failure, a 409 on a retry taken as applied, a
// 422 final and shown to operators, a regrade's later timestamp, a line item made through the
// container, the roster (NRPS) passing back a portal submission, one cached token for it all, and a
// grade stored just before a crash passed back by the next API process.
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { uploadSubmission } from '../../services/bench/portal-client.js';
import { CLAIM, SCOPE } from '../../services/lti/lti-claims.js';
import type { PrivateRedis } from '../../services/queue/private-redis.js';
import type { LtiScoreDelivery } from '../../services/store/lti-store.js';
import { openStore } from '../../services/store/open-store.js';
import { ASSIGNMENT, COURSE, postResult, startTestApi, type TestApi } from '../support/api-fixtures.js';
import { removeTempDirs } from '../support/helpers.js';
import type { RecordedRequest, SimulatedPlatform } from '../support/lti-platform.js';
import { privateRedis, sleep, until } from '../support/queue-fixtures.js';
import { INSTRUCTOR, LEARNER, connectedPlatform, launch, learnerClaims, ltiUpload } from './lti-fixtures.js';

const OPERATOR = 'operator-token-for-lti-tests';
let redis: PrivateRedis;
let api: TestApi;
let platform: SimulatedPlatform;

test.before(async () => {
  redis = await privateRedis();
  api = await startTestApi(redis, { operatorToken: OPERATOR, lti: { passbackIntervalMs: 50, retryScheduleMs: [0, 100, 100, 100] } });
  platform = await connectedPlatform(api);
  platform.toolUrl = () => api.url; // the API restarts (on another port) in the crash test
});
test.after(async () => {
  await api?.service.close();
  await platform?.stop();
  await redis?.stop();
  removeTempDirs();
});

const canvasItems = () => `${platform.url}/api/lti/courses/7/line_items`;

/** A learner's launch of their own placement, with the AGS claim the platform sends; returns the launch token. */
async function launchLearner(sub: string, linkId: string, lineitem: string | null, lineitems = canvasItems()): Promise<string> {
  const claims = {
    ...learnerClaims(api, platform, sub),
    [CLAIM.resourceLink]: { id: linkId, title: `Sum (${linkId})` },
    [CLAIM.ags]: { scope: [SCOPE.lineItem, SCOPE.score], lineitems, ...(lineitem ? { lineitem } : {}) },
  };
  const launched = await launch(api, platform, claims);
  assert.is(launched.status, 200, launched.text);
  return launched.token!;
}

function result(score: number, maxScore: number, gradable = true) {
  const tests = Array.from({ length: maxScore }, (_, i) => ({
    name: `t${i + 1}`, visibility: 'visible', verdict: i < score ? 'AC' : 'WA', output: '', score: i < score ? 1 : 0, max_score: 1,
    status: i < score ? 'passed' : 'failed', cpu_ms: 1, wall_ms: 2, memory_kb: 3,
  }));
  return {
    score, max_score: maxScore, execution_time: 0.1, output: '', verdict: score === maxScore ? 'AC' : 'WA', gradable, tests,
    provenance: { grader_digest: 'a'.repeat(64), grader_dir: '/srv/graders/sum', seed: 1 }, incidents: [], internal_problems: [], sandbox_launch_ms: [2],
  };
}

async function graded(id: string, score: number, maxScore: number, gradeNumber = 1, gradable = true): Promise<void> {
  assert.is(await postResult(api, { type: 'finished', submissionId: id, gradeNumber, incidents: [], result: result(score, maxScore, gradable) }), 204);
}

/** The learner's delivery of `kind`, once it is no longer pending. */
async function settled(student: string, kind: string, gradeNumber = 1): Promise<LtiScoreDelivery> {
  let found: LtiScoreDelivery | undefined;
  await until(async () => {
    found = (await api.store.listLtiScoreDeliveries(COURSE)).find((d) => d.student === student && d.kind === kind && d.gradeNumber === gradeNumber);
    return found !== undefined && found.state !== 'pending';
  }, 10_000, `the ${kind} delivery of ${student} settled`);
  return found!;
}

const scorePosts = (userId: string): RecordedRequest[] => platform.requestsTo('/scores').filter((r) => (JSON.parse(r.body) as { userId: string }).userId === userId);
const bodyOf = (r: RecordedRequest) => JSON.parse(r.body) as Record<string, unknown>;

/** Uploads from the learner's launch page and waits until its Pending score is delivered. */
async function submitAndPend(token: string, sub: string): Promise<string> {
  const sent = await ltiUpload(api, token);
  assert.is(sent.status, 202);
  assert.is((await settled(sub, 'pending')).state, 'delivered');
  return sent.body.id!;
}

test('Canvas-shaped line item: Pending while grading, then the final score at {lineitem}/scores, field by field', async () => {
  const token = await launchLearner('canvas-learner', 'rl-canvas', `${canvasItems()}/42`);
  const id = await submitAndPend(token, 'canvas-learner');
  const [pending] = scorePosts('canvas-learner');
  assert.is(pending!.path, '/api/lti/courses/7/line_items/42/scores');
  const pendingBody = bodyOf(pending!);
  assert.equal(Object.keys(pendingBody).sort(), ['activityProgress', 'comment', 'gradingProgress', 'timestamp', 'userId']);
  assert.is(pendingBody.activityProgress, 'Submitted');
  assert.is(pendingBody.gradingProgress, 'Pending');

  await graded(id, 3, 4);
  assert.is((await settled('canvas-learner', 'graded')).state, 'delivered');
  const final = scorePosts('canvas-learner')[1]!;
  assert.is(final.method, 'POST');
  assert.is(final.path, '/api/lti/courses/7/line_items/42/scores');
  assert.is(final.query, '');
  assert.is(final.headers['content-type'], 'application/vnd.ims.lis.v1.score+json');
  assert.match(String(final.headers.authorization), /^Bearer at-[0-9a-f]+$/);
  assert.is(final.headers['user-agent'], 'gradebox-lti/1', 'Canvas refuses a request without a User-Agent');
  const body = bodyOf(final);
  assert.equal(body, {
    userId: 'canvas-learner', timestamp: body.timestamp, activityProgress: 'Completed', gradingProgress: 'FullyGraded',
    scoreGiven: 3, scoreMaximum: 4, comment: `WA · 3 / 4 · 3 of 4 tests passed (${id}.1)`,
  });
  assert.ok(Date.parse(String(body.timestamp)) > Date.parse(String(pendingBody.timestamp)), 'the grade is later than its Pending');
  assert.match(String(body.timestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
});

test('Moodle-shaped line item: /scores goes into the path and ?type_id= is kept', async () => {
  const token = await launchLearner('moodle-learner', 'rl-moodle', `${platform.url}/mod/lti/services.php/2/lineitems/5/lineitem?type_id=3`,
    `${platform.url}/mod/lti/services.php/2/lineitems?type_id=3`);
  const id = await submitAndPend(token, 'moodle-learner');
  await graded(id, 2, 2);
  assert.is((await settled('moodle-learner', 'graded')).state, 'delivered');
  for (const post of scorePosts('moodle-learner')) {
    assert.is(post.path, '/mod/lti/services.php/2/lineitems/5/lineitem/scores');
    assert.is(post.query, '?type_id=3');
  }
  const body = bodyOf(scorePosts('moodle-learner')[1]!);
  assert.is(body.userId, 'moodle-learner');
  assert.is(body.scoreGiven, 2);
  assert.is(body.scoreMaximum, 2);
  assert.is(body.activityProgress, 'Completed');
  assert.is(body.gradingProgress, 'FullyGraded');
  assert.match(String(body.comment), 'AC · 2 / 2');
});

test('a 409 on a retry is success: the first attempt got a 503, the retry (same body, same timestamp) a 409', async () => {
  const token = await launchLearner('retry-learner', 'rl-retry', `${canvasItems()}/43`);
  const id = await submitAndPend(token, 'retry-learner');
  platform.scoreAnswers.push({ status: 503, headers: { 'retry-after': '0' } }, { status: 409 });
  await graded(id, 1, 2);
  const delivery = await settled('retry-learner', 'graded');
  assert.is(delivery.state, 'delivered');
  assert.is(delivery.attempts, 2);
  assert.is(delivery.lastStatus, 409);
  const [first, retry] = scorePosts('retry-learner').slice(1);
  assert.is(retry!.body, first!.body, 'the retry sends the same Score, timestamp included');
});

test('422 (a user not in the course) is final, not retried, and operators see it', async () => {
  const token = await launchLearner('gone-learner', 'rl-gone', `${canvasItems()}/44`);
  const id = await submitAndPend(token, 'gone-learner');
  platform.scoreAnswers.push({ status: 422 });
  await graded(id, 2, 2);
  const delivery = await settled('gone-learner', 'graded');
  assert.is(delivery.state, 'failed');
  assert.is(delivery.lastStatus, 422);
  await sleep(400);
  assert.is(scorePosts('gone-learner').length, 2, 'pending, then one refused attempt');
  const listed = await fetch(`${api.url}/operator/v1/lti/courses/${COURSE}/passbacks`, { headers: { authorization: `Bearer ${OPERATOR}` } });
  const row = (await listed.json() as Array<Record<string, unknown>>).find((d) => d.student === 'gone-learner' && d.kind === 'graded')!;
  assert.equal([row.state, row.last_status], ['failed', 422]);
  assert.match(String(row.last_error), '422');
});

/** The LTI outcomes counted in /metrics, and the attempts whose time was observed. */
async function passbackCounts(): Promise<Record<string, number>> {
  const text = await (await fetch(`${api.url}/metrics`, { headers: { authorization: `Bearer ${OPERATOR}` } })).text();
  const sample = (line: string): number => Number(text.split('\n').find((l) => l.startsWith(`${line} `))?.split(' ')[1] ?? Number.NaN);
  return {
    delivered: sample('gradebox_lti_score_deliveries_total{outcome="delivered"}'),
    retry: sample('gradebox_lti_score_deliveries_total{outcome="retry"}'),
    failed: sample('gradebox_lti_score_deliveries_total{outcome="failed"}'),
    superseded: sample('gradebox_lti_score_deliveries_total{outcome="superseded"}'),
    latencies: sample('gradebox_delivery_duration_seconds_count{channel="lti"}'),
  };
}

test('each passback attempt is counted in /metrics by its outcome (delivered, a 503 to retry, a final 422 failed), its time observed', async () => {
  const before = await passbackCounts();
  const retried = await submitAndPend(await launchLearner('counted-learner', 'rl-counted', `${canvasItems()}/45`), 'counted-learner');
  platform.scoreAnswers.push({ status: 503, headers: { 'retry-after': '0' } });
  await graded(retried, 1, 2);
  const delivery = await settled('counted-learner', 'graded');
  assert.equal([delivery.state, delivery.attempts], ['delivered', 2]);
  const refused = await submitAndPend(await launchLearner('refused-learner', 'rl-refused', `${canvasItems()}/46`), 'refused-learner');
  platform.scoreAnswers.push({ status: 422 });
  await graded(refused, 2, 2);
  assert.is((await settled('refused-learner', 'graded')).state, 'failed');

  const after = await passbackCounts();
  const moved = Object.fromEntries(Object.entries(after).map(([name, n]) => [name, n - before[name]!]));
  // Two Pendings and one grade delivered; one 503; one 422.
  assert.equal(moved, { delivered: 3, retry: 1, failed: 1, superseded: 0, latencies: 5 });
});

test('gradebox\'s own failure is Failed with no score (never a zero): an internal failure, and a result whose sandbox failed', async () => {
  const token = await launchLearner('unlucky-learner', 'rl-unlucky', `${canvasItems()}/45`);
  const id = await submitAndPend(token, 'unlucky-learner');
  assert.is(await postResult(api, { type: 'failed', submissionId: id, gradeNumber: 1, reason: 'the worker lost its disk', userError: false }), 204);
  assert.is((await settled('unlucky-learner', 'failed')).state, 'delivered');
  const failed = bodyOf(scorePosts('unlucky-learner')[1]!);
  assert.is(failed.gradingProgress, 'Failed');
  assert.is(failed.scoreGiven, undefined);
  assert.is(failed.scoreMaximum, undefined);
  assert.match(String(failed.comment), 'not in your code');
  assert.not.match(String(failed.comment), 'disk', 'the operators\' detail stays theirs');

  const regrade = await fetch(`${api.url}/v1/submissions/${id}/regrade`, { method: 'POST', headers: { authorization: `Bearer ${api.key}` } });
  assert.is(regrade.status, 202);
  await graded(id, 0, 3, 2, false);
  assert.is((await settled('unlucky-learner', 'graded', 2)).state, 'delivered');
  const notGradable = bodyOf(scorePosts('unlucky-learner').at(-1)!);
  assert.is(notGradable.gradingProgress, 'Failed');
  assert.is(notGradable.scoreGiven, undefined);
});

test('a regrade passes back the new score with a later timestamp (and sends no Pending over the old score)', async () => {
  const token = await launchLearner('regrade-learner', 'rl-regrade', `${canvasItems()}/46`);
  const id = await submitAndPend(token, 'regrade-learner');
  await graded(id, 1, 3);
  await settled('regrade-learner', 'graded');
  const regrade = await fetch(`${api.url}/v1/submissions/${id}/regrade`, { method: 'POST', headers: { authorization: `Bearer ${api.key}` } });
  assert.is(regrade.status, 202);
  await graded(id, 3, 3, 2);
  assert.is((await settled('regrade-learner', 'graded', 2)).state, 'delivered');
  const posts = scorePosts('regrade-learner').map(bodyOf);
  assert.equal(posts.map((p) => p.gradingProgress), ['Pending', 'FullyGraded', 'FullyGraded']);
  assert.equal(posts.slice(1).map((p) => p.scoreGiven), [1, 3]);
  assert.ok(Date.parse(String(posts[2]!.timestamp)) > Date.parse(String(posts[1]!.timestamp)));
});

test('a score passed back as PendingManual is passed back again as FullyGraded when the feedback is released, once per release', async () => {
  const token = await launchLearner('release-learner', 'rl-release', `${canvasItems()}/47`);
  const id = await submitAndPend(token, 'release-learner');
  const withheldResult = result(2, 3);
  withheldResult.tests[2]!.visibility = 'after_published';
  assert.is(await postResult(api, { type: 'finished', submissionId: id, gradeNumber: 1, incidents: [], result: withheldResult }), 204);
  assert.is((await settled('release-learner', 'graded')).state, 'delivered');
  const withheld = bodyOf(scorePosts('release-learner')[1]!);
  assert.is(withheld.gradingProgress, 'PendingManual');
  assert.is(withheld.scoreGiven, undefined, 'no score while students cannot see it');

  const release = (released: boolean) => fetch(`${api.url}/v1/assignments/${ASSIGNMENT}`, {
    method: 'PATCH', headers: { authorization: `Bearer ${api.key}`, 'content-type': 'application/json' }, body: JSON.stringify({ feedback_released: released }),
  }).then((r) => r.status);
  const gradedDeliveries = async () => (await api.store.listLtiScoreDeliveries(COURSE)).filter((d) => d.student === 'release-learner' && d.kind === 'graded');
  try {
    assert.is(await release(true), 200);
    await until(async () => {
      const all = await gradedDeliveries();
      return all.length === 2 && all[0]!.state === 'delivered';
    }, 10_000, 'the released score was delivered');
    const posts = scorePosts('release-learner').map(bodyOf);
    assert.equal(posts.map((p) => p.gradingProgress), ['Pending', 'PendingManual', 'FullyGraded']);
    assert.is(posts[2]!.scoreGiven, 2);
    assert.is(posts[2]!.scoreMaximum, 3);
    assert.ok(Date.parse(String(posts[2]!.timestamp)) > Date.parse(String(posts[1]!.timestamp)), 'a later timestamp than the withheld one');
    // Released again (already in force), or unreleased and released again after a full score went out: nothing more to send.
    assert.is(await release(true), 200);
    assert.is(await release(false), 200);
    assert.is(await release(true), 200);
    assert.is((await gradedDeliveries()).length, 2, 'one re-send per release of a withheld score');
  } finally {
    await release(false);
  }
});

test('no line item in the launch: the container is searched, then a line item is made (resourceId = the assignment) and scored', async () => {
  const token = await launchLearner('container-learner', 'rl-container', null);
  const sent = await ltiUpload(api, token);
  assert.is((await settled('container-learner', 'pending')).state, 'superseded', 'Pending waits for the line item the grade makes');
  await graded(sent.body.id!, 2, 5);
  assert.is((await settled('container-learner', 'graded')).state, 'delivered');
  const made = platform.requests.filter((r) => r.method === 'POST' && r.path === '/api/lti/courses/7/line_items');
  assert.is(made.length, 1);
  assert.is(made[0]!.headers['content-type'], 'application/vnd.ims.lis.v2.lineitem+json');
  assert.equal(JSON.parse(made[0]!.body), { scoreMaximum: 5, label: 'Sum (rl-container)', resourceId: ASSIGNMENT, resourceLinkId: 'rl-container' });
  const [score] = scorePosts('container-learner');
  assert.is(score!.path, '/api/lti/courses/7/line_items/1/scores');
  assert.is(bodyOf(score!).scoreGiven, 2);
});

test('roster (NRPS): an instructor reads the paged roster; a roster learner\'s portal submission (student = sub) passes back', async () => {
  platform.rosterPages = [
    [{ user_id: 'roster-1', roles: [LEARNER], status: 'Active', name: 'R One' }],
    [{ user_id: 'teacher-9', roles: [INSTRUCTOR] }, { user_id: 'roster-2', roles: [LEARNER] }, { user_id: 'dropped', roles: [LEARNER], status: 'Inactive' }],
  ];
  const claims = {
    ...learnerClaims(api, platform, 'teacher-9'), [CLAIM.roles]: [INSTRUCTOR],
    [CLAIM.resourceLink]: { id: 'rl-canvas' }, [CLAIM.nrps]: { context_memberships_url: `${platform.url}/memberships`, service_versions: ['2.0'] },
  };
  const instructor = await launch(api, platform, claims);
  assert.is(instructor.status, 200, instructor.text);
  const synced = await fetch(`${api.url}/lti/v1/roster`, { method: 'POST', headers: { authorization: `Bearer ${instructor.token}` } });
  assert.equal(await synced.json(), { members: 4, learners: 2 });
  const roster = platform.requestsTo('/memberships');
  assert.is(roster.length, 2, 'both pages read');
  assert.is(roster[0]!.headers.accept, 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json');

  const sent = await uploadSubmission({ url: api.url, key: api.key }, { assignment: ASSIGNMENT, student: 'roster-2' }, { 'main.c': 'int main(void) { return 0; }\n' });
  assert.is(sent.status, 202);
  await graded(sent.body.id!, 4, 4);
  assert.is((await settled('roster-2', 'graded')).state, 'delivered');
  assert.is(bodyOf(scorePosts('roster-2').at(-1)!).scoreGiven, 4);
  assert.is(scorePosts('dropped').length, 0);
});

test('token caching: one client-credentials token served every score; its assertion is signed by our published key for the token URL', async () => {
  const scoreTokens = platform.assertions.filter((a) => a.scope === SCOPE.score);
  assert.is(scoreTokens.length, 1, `score token requests: ${scoreTokens.length}`);
  const assertion = scoreTokens[0]!;
  assert.is(assertion.grant_type, 'client_credentials');
  assert.is(assertion.assertion_type, 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
  assert.is(assertion.aud, `${platform.url}/token`);
  assert.match(String(assertion.jti), /^[A-Za-z0-9_-]{16,}$/);
  const jwks = await (await fetch(`${api.url}/.well-known/jwks.json`)).json() as { keys: Array<{ kid: string }> };
  assert.is(assertion.kid, jwks.keys[0]!.kid);
  const authorizations = new Set(platform.requestsTo('/scores').map((r) => r.headers.authorization));
  assert.is(authorizations.size, 1, 'every score carried the same token');
});

test('a crash loses no score: a grade stored just before the API died is passed back by the next API process', async () => {
  const token = await launchLearner('crash-learner', 'rl-crash', `${canvasItems()}/48`);
  const id = await submitAndPend(token, 'crash-learner');
  await api.service.close();
  // The grade committed, then the process was gone before any attempt: the delivery is a row of the store.
  const store = await openStore(api.dataDir);
  await store.recordResult(id, 1, result(5, 5), { verdict: 'AC', score: 5, maxScore: 5, gradable: true });
  assert.is((await store.listLtiScoreDeliveries(COURSE)).find((d) => d.student === 'crash-learner' && d.kind === 'graded')!.state, 'pending');
  await store.close();
  api = await startTestApi(redis, { sameAs: api, operatorToken: OPERATOR, lti: { passbackIntervalMs: 50, retryScheduleMs: [0, 100, 100, 100] } });
  const crashed = await settled('crash-learner', 'graded');
  assert.is(crashed.state, 'delivered', String(crashed.lastError));
  assert.is(bodyOf(scorePosts('crash-learner').at(-1)!).scoreGiven, 5);
});

test('a refused access token: the score\'s 401 drops the cached token, a refused token request is tried again, then the score goes', async () => {
  const token = await launchLearner('token-learner', 'rl-token', `${canvasItems()}/49`);
  const id = await submitAndPend(token, 'token-learner');
  const tokensBefore = platform.assertions.length;
  platform.scoreAnswers.push({ status: 401 });
  platform.tokenRefusals = 1;
  await graded(id, 1, 1);
  const delivery = await settled('token-learner', 'graded');
  assert.is(delivery.state, 'delivered', String(delivery.lastError));
  assert.is(delivery.attempts, 3, 'the 401, the refused token, the score');
  assert.is(platform.assertions.length, tokensBefore + 1, 'one new token once the platform gave one');
  const [refused, sent] = scorePosts('token-learner').slice(1);
  assert.is.not(sent!.headers.authorization, refused!.headers.authorization);
});

test.run();
