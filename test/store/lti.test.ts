// The store's LTI operations: a platform registered once per (issuer, client id) with its deployments,
// login states used once and only while fresh, nonces seen once, launch sessions found by their token
// only, and score deliveries written in the transaction of the submission event they report (only
// for a learner known by their sub; Pending only for a first grading), claimed under a lease.
import * as assert from 'uvu/assert';

import type { Store } from '../../services/store/store.js';
import { StoreFixture, backendTests, by, seed, submit, userError } from '../support/store-fixtures.js';

const fixture = new StoreFixture();
const test = backendTests(fixture, 'store/lti');
test.after.each(() => fixture.cleanup());

const REGISTRATION = {
  issuer: 'https://lms.example.edu', clientId: 'client-1', deploymentId: 'dep-1',
  authUrl: 'https://lms.example.edu/auth', tokenUrl: 'https://lms.example.edu/token', jwksUrl: 'https://lms.example.edu/jwks',
};
const inMinutes = (m: number) => new Date(Date.now() + m * 60_000).toISOString();

test('a platform is registered once per issuer and client id; another deployment adds to it; bad URLs are refused', async () => {
  const store = await fixture.open();
  const first = await store.addLtiPlatform(REGISTRATION);
  const again = await store.addLtiPlatform({ ...REGISTRATION, deploymentId: 'dep-2', jwksUrl: 'https://lms.example.edu/jwks2' });
  assert.is(again.id, first.id);
  assert.equal(again.deploymentIds, ['dep-1', 'dep-2']);
  assert.is(again.jwksUrl, 'https://lms.example.edu/jwks2');
  assert.is((await store.findLtiPlatform(REGISTRATION.issuer))!.id, first.id);
  await store.addLtiPlatform({ ...REGISTRATION, clientId: 'client-2' });
  await userError(store.findLtiPlatform(REGISTRATION.issuer), 'E_LTI_AMBIGUOUS_PLATFORM');
  assert.is((await store.findLtiPlatform(REGISTRATION.issuer, 'client-2'))!.clientId, 'client-2');
  await userError(store.addLtiPlatform({ ...REGISTRATION, tokenUrl: 'file:///etc/passwd' }), 'E_BAD_INPUT');
  await userError(store.addLtiPlatform({ ...REGISTRATION, authUrl: 'lms.example.edu/auth' }), 'E_BAD_INPUT');
});

test('a login state is taken once, and not after it expired; a nonce is recorded once', async () => {
  const store = await fixture.open();
  const { id } = await store.addLtiPlatform(REGISTRATION);
  const expiresAt = inMinutes(10);
  await store.saveLtiLoginState({ state: 's1', nonce: 'n1', platformId: id, expiresAt });
  await store.saveLtiLoginState({ state: 's2', nonce: 'n2', platformId: id, expiresAt: inMinutes(-1) });
  assert.equal(await store.takeLtiLoginState('s1'), { state: 's1', nonce: 'n1', platformId: id, expiresAt });
  assert.is(await store.takeLtiLoginState('s1'), null, 'used');
  assert.is(await store.takeLtiLoginState('s2'), null, 'expired');
  assert.is(await store.takeLtiLoginState('never'), null);
  assert.is(await store.recordLtiNonce(id, 'n1', inMinutes(5)), true);
  assert.is(await store.recordLtiNonce(id, 'n1', inMinutes(5)), false, 'seen: a replay');
});

/** A platform, the course's context linked, a resource link of the assignment, and `student` a learner of it. */
async function ltiCourse(store: Store, student: string) {
  const assignment = await seed(store);
  const platform = await store.addLtiPlatform(REGISTRATION);
  await store.linkLtiContext(platform.id, 'ctx', 'cs101', 'CS 101');
  await store.saveLtiResourceLink({ platformId: platform.id, resourceLinkId: 'rl', contextId: 'ctx', courseId: 'cs101', assignmentId: assignment.id, title: 'Sum', lineitemUrl: 'https://lms.example.edu/li/1' });
  await store.linkLtiLearner({ courseId: 'cs101', assignmentId: assignment.id, student, platformId: platform.id, resourceLinkId: 'rl' });
  return { assignment, platform };
}

test('launch sessions: found by their token until they expire, and by nothing else', async () => {
  const store = await fixture.open();
  const { assignment, platform } = await ltiCourse(store, 'ada');
  const session = { platformId: platform.id, sub: 'ada', role: 'learner' as const, courseId: 'cs101', contextId: 'ctx', resourceLinkId: 'rl', assignmentId: assignment.id, deepLink: null, expiresAt: inMinutes(60) };
  const token = await store.createLtiLaunch(session);
  assert.match(token, /^ltl_[A-Za-z0-9_-]{43}$/);
  assert.equal(await store.findLtiLaunch(token), session);
  assert.is(await store.findLtiLaunch(`${token}x`), null);
  assert.is(await store.findLtiLaunch('gbx_cs101_notatoken'), null);
  const old = await store.createLtiLaunch({ ...session, expiresAt: inMinutes(-1) });
  assert.is(await store.findLtiLaunch(old), null, 'expired');
});

test('score deliveries are written with the events of a known learner\'s submission: Pending for a first grading, the grade, a failure; none for others, none for a regrade\'s queueing', async () => {
  const store = await fixture.open();
  const { assignment } = await ltiCourse(store, 'ada');
  const ada = (await submit(store, assignment, { 'a.c': '1' }, { student: 'ada' })).submission.id;
  const bob = (await submit(store, assignment, { 'b.c': '2' }, { student: 'bob' })).submission.id;
  await store.startAttempt(ada, 1, by('w'));
  await store.recordResult(ada, 1, {}, { verdict: 'AC', score: 1, maxScore: 1, gradable: true });
  await store.recordResult(bob, 1, {}, { verdict: 'AC', score: 1, maxScore: 1, gradable: true });
  await store.requestRegrade(ada);
  await store.recordFailure(ada, 2, 'the worker lost its disk');
  const deliveries = (await store.listLtiScoreDeliveries('cs101')).reverse();
  assert.equal(deliveries.map((d) => [d.student, d.gradeNumber, d.kind, d.state, d.attempts]), [
    ['ada', 1, 'pending', 'pending', 0], ['ada', 1, 'graded', 'pending', 0], ['ada', 2, 'failed', 'pending', 0],
  ]);
  assert.ok(deliveries[0]!.timestamp < deliveries[1]!.timestamp && deliveries[1]!.timestamp < deliveries[2]!.timestamp, 'each later than the one before');
  assert.is(deliveries[1]!.resourceLinkId, 'rl');
});

test('claims lease what is due; an attempt\'s outcome is kept; a later delivered grade supersedes an older one', async () => {
  const store = await fixture.open();
  const { assignment } = await ltiCourse(store, 'ada');
  const ada = (await submit(store, assignment, { 'a.c': '1' }, { student: 'ada' })).submission.id;
  await store.recordResult(ada, 1, {}, { verdict: 'AC', score: 1, maxScore: 1, gradable: true });
  const now = new Date().toISOString();
  const claimed = await store.claimLtiScoreDeliveries(now, 10, 60_000);
  assert.equal(claimed.map((d) => d.kind), ['pending', 'graded']);
  assert.equal(await store.claimLtiScoreDeliveries(now, 10, 60_000), [], 'leased: another process takes none');
  const [pending, graded] = claimed;
  await store.recordLtiScoreAttempt(graded!.id, { state: 'delivered', status: 200, error: null });
  assert.is(await store.ltiScoreSuperseded(pending!), true, 'the grade came later and was delivered');
  await store.recordLtiScoreAttempt(pending!.id, { state: 'pending', status: 503, error: 'busy', nextAttemptAt: inMinutes(5) });
  assert.equal(await store.claimLtiScoreDeliveries(new Date().toISOString(), 10, 60_000), [], 'not due yet');
  const again = await store.claimLtiScoreDeliveries(inMinutes(6), 10, 60_000);
  assert.equal(again.map((d) => [d.id, d.attempts, d.lastStatus, d.lastError]), [[pending!.id, 1, 503, 'busy']]);
});

test('releasing the feedback writes again, with a later timestamp, the newest score of each learner sent withheld (PendingManual); once per release', async () => {
  const store = await fixture.open();
  const { assignment } = await ltiCourse(store, 'ada');
  await store.linkLtiLearner({ courseId: 'cs101', assignmentId: assignment.id, student: 'bob', platformId: (await store.findLtiPlatform(REGISTRATION.issuer))!.id, resourceLinkId: 'rl' });
  const ada = (await submit(store, assignment, { 'a.c': '1' }, { student: 'ada' })).submission.id;
  const bob = (await submit(store, assignment, { 'b.c': '2' }, { student: 'bob' })).submission.id;
  await store.recordResult(ada, 1, {}, { verdict: 'AC', score: 1, maxScore: 1, gradable: true });
  await store.recordResult(bob, 1, {}, { verdict: 'AC', score: 1, maxScore: 1, gradable: true });
  for (const d of await store.claimLtiScoreDeliveries(new Date().toISOString(), 10, 60_000)) {
    // Ada's grade went out withheld; Bob's with its score.
    await store.recordLtiScoreAttempt(d.id, { state: 'delivered', status: 200, error: null, ...(d.kind === 'graded' && d.student === 'ada' ? { withheldAsOf: new Date().toISOString() } : {}) });
  }
  const graded = async () => (await store.listLtiScoreDeliveries('cs101')).filter((d) => d.kind === 'graded');
  const before = await graded();
  await store.setFeedbackSchedule('cs101', assignment.name, { dueAt: '2030-01-01T00:00:00Z' });
  assert.is((await graded()).length, before.length, 'a due date alone re-sends nothing');
  await store.setFeedbackSchedule('cs101', assignment.name, { released: true });
  const after = await graded();
  assert.is(after.length, before.length + 1);
  const [again] = after;
  const withheld = before.find((d) => d.student === 'ada')!;
  assert.equal([again!.student, again!.submissionId, again!.gradeNumber, again!.state, again!.attempts], ['ada', ada, 1, 'pending', 0]);
  assert.ok(again!.timestamp > withheld.timestamp, 'a later timestamp');
  await store.setFeedbackSchedule('cs101', assignment.name, { released: true });
  assert.is((await graded()).length, after.length, 'released again while released: nothing');
  await store.setFeedbackSchedule('cs101', assignment.name, { released: false });
  await store.setFeedbackSchedule('cs101', assignment.name, { released: true });
  assert.is((await graded()).length, after.length, 'the newest of Ada\'s is the one re-sent (not sent withheld): nothing more');
});

test('a score judged withheld before a release but recorded after it is sent again at once; one judged after the release is not', async () => {
  const store = await fixture.open();
  const { assignment } = await ltiCourse(store, 'ada');
  const ada = (await submit(store, assignment, { 'a.c': '1' }, { student: 'ada' })).submission.id;
  await store.recordResult(ada, 1, {}, { verdict: 'AC', score: 1, maxScore: 1, gradable: true });
  const claimed = await store.claimLtiScoreDeliveries(new Date().toISOString(), 10, 60_000);
  const judged = new Date(Date.now() - 1000).toISOString();
  await store.setFeedbackSchedule('cs101', assignment.name, { released: true });
  const graded = async () => (await store.listLtiScoreDeliveries('cs101')).filter((d) => d.kind === 'graded');
  assert.is((await graded()).length, 1, 'the release found no withheld score yet: the attempt was on its way');
  const grade = claimed.find((d) => d.kind === 'graded')!;
  await store.recordLtiScoreAttempt(grade.id, { state: 'delivered', status: 200, error: null, withheldAsOf: judged });
  const [again] = await graded();
  assert.equal([again!.id > grade.id, again!.state, again!.gradeNumber], [true, 'pending', 1], 'sent again, as the release would have');
  // The re-send judged after the release and still withheld (say, by a due date): no loop of re-sends.
  await store.recordLtiScoreAttempt(again!.id, { state: 'delivered', status: 200, error: null, withheldAsOf: new Date().toISOString() });
  assert.is((await graded()).length, 2);
});

test('a score sent withheld before its due date goes again once the date has passed, once; one judged withheld after it does not', async () => {
  const store = await fixture.open();
  const { assignment } = await ltiCourse(store, 'ada');
  const ada = (await submit(store, assignment, { 'a.c': '1' }, { student: 'ada' })).submission.id;
  await store.recordResult(ada, 1, {}, { verdict: 'AC', score: 1, maxScore: 1, gradable: true });
  for (const d of await store.claimLtiScoreDeliveries(new Date().toISOString(), 10, 60_000)) {
    await store.recordLtiScoreAttempt(d.id, { state: 'delivered', status: 200, error: null, ...(d.kind === 'graded' ? { withheldAsOf: new Date().toISOString() } : {}) });
  }
  const graded = async () => (await store.listLtiScoreDeliveries('cs101')).filter((d) => d.kind === 'graded');
  const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5));
  await tick();
  const due = new Date().toISOString(); // after the score went out withheld
  await store.setFeedbackSchedule('cs101', assignment.name, { dueAt: due });
  await tick();
  assert.is(await store.resendLtiScoresPastDue(new Date(Date.parse(due) - 1000).toISOString()), 0, 'not due yet');
  assert.is(await store.resendLtiScoresPastDue(new Date().toISOString()), 1);
  const [again, withheld] = await graded();
  assert.equal([again!.student, again!.gradeNumber, again!.state], ['ada', 1, 'pending']);
  assert.ok(again!.timestamp > withheld!.timestamp, 'a later timestamp');
  assert.is(await store.resendLtiScoresPastDue(new Date().toISOString()), 0, 'once');
  // Sent again after the due date and still judged withheld (its tests shown only once published): no loop.
  await store.recordLtiScoreAttempt(again!.id, { state: 'delivered', status: 200, error: null, withheldAsOf: new Date().toISOString() });
  assert.is((await graded()).length, 2, 'recording it sent nothing again');
  assert.is(await store.resendLtiScoresPastDue(new Date().toISOString()), 0);
  const refused = await store.resendLtiScoresPastDue('yesterday').then(() => null, (error: unknown) => error as Error);
  assert.match(refused?.message ?? '', /ISO-8601/);
});

test('a score judged withheld before its due date but recorded after the date passed is sent again at once', async () => {
  const store = await fixture.open();
  const { assignment } = await ltiCourse(store, 'ada');
  const ada = (await submit(store, assignment, { 'a.c': '1' }, { student: 'ada' })).submission.id;
  await store.recordResult(ada, 1, {}, { verdict: 'AC', score: 1, maxScore: 1, gradable: true });
  const grade = (await store.claimLtiScoreDeliveries(new Date().toISOString(), 10, 60_000)).find((d) => d.kind === 'graded')!;
  const judged = new Date(Date.now() - 1000).toISOString();
  await store.setFeedbackSchedule('cs101', assignment.name, { dueAt: new Date().toISOString() });
  await store.recordLtiScoreAttempt(grade.id, { state: 'delivered', status: 200, error: null, withheldAsOf: judged });
  const [again] = (await store.listLtiScoreDeliveries('cs101')).filter((d) => d.kind === 'graded');
  assert.equal([again!.id > grade.id, again!.state], [true, 'pending']);
});

test.run();
