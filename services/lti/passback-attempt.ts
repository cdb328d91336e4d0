// One attempt at a score delivery: skip it when a later grade of the same learner was delivered,
// find the line item, get a token, POST the Score to {lineitem}/scores, and judge the answer: 2xx
// delivered; 409 on a retry means an earlier attempt was applied (on a first attempt, the platform
// holds a later score); 401 drops the cached token and tries again; 400, 403, 404 and 422 (a user
// not in the course, a line item gone) are final and kept for the instructor; 429, 5xx and no
// answer are tried again on the schedule, never sooner than Retry-After. Our own failure (the store
// busy) is tried again too: a delivery is never dropped, nor a zero sent, because gradebox failed.
import type { Logger } from 'pino';

import type { LtiAttemptRecord, LtiDeliveryState, LtiScoreDelivery, LtiStore } from '../store/lti-store.js';
import { scoreBody, type ScoreFacts } from './ags-score.js';
import { MEDIA, SCOPE } from './lti-claims.js';
import { lineItemOf, scoresUrl } from './line-items.js';
import { failureOf, platformRequest, PlatformFailure } from './platform-request.js';
import type { ServiceTokens } from './service-token.js';

/** Says what a delivery's grading means for the learner's gradebook (the API decides what a student may see). */
export type ScoreFactsOf = (delivery: LtiScoreDelivery) => Promise<ScoreFacts & { assignmentName: string }>;

/** Told how each attempt ended (the API's metrics: passback runs in the API process, which serves /metrics). */
export interface ScoreAttemptMetrics {
  ltiScoreAttempt(state: LtiDeliveryState, seconds: number): void;
}

export interface PassbackContext {
  store: LtiStore;
  tokens: ServiceTokens;
  factsOf: ScoreFactsOf;
  timeoutMs: number;
  retryScheduleMs: readonly number[];
  logger: Logger;
  metrics: ScoreAttemptMetrics;
}

/** Each wait is drawn between 90 % and 110 % of the schedule's, so deliveries that failed together are not retried together. */
function retryDelayMs(schedule: readonly number[], attemptsMade: number, retryAfter: number | null): number | null {
  if (attemptsMade >= schedule.length) return null;
  const planned = schedule[attemptsMade]! * (0.9 + 0.2 * Math.random());
  return Math.round(Math.max(planned, Math.min(retryAfter ?? 0, Math.max(...schedule))));
}

function retryOrGiveUp(ctx: PassbackContext, delivery: LtiScoreDelivery, status: number | null, error: string, retryAfter: number | null): LtiAttemptRecord {
  const delay = retryDelayMs(ctx.retryScheduleMs, delivery.attempts + 1, retryAfter);
  if (delay === null) return { state: 'failed', status, error: `${error} (given up after ${delivery.attempts + 1} attempts)` };
  return { state: 'pending', status, error, nextAttemptAt: new Date(Date.now() + delay).toISOString() };
}

async function send(ctx: PassbackContext, delivery: LtiScoreDelivery, facts: ScoreFacts & { assignmentName: string }, judgedAt: string): Promise<LtiAttemptRecord> {
  const { store } = ctx;
  const platform = await store.getLtiPlatform(delivery.platformId);
  const link = await store.findLtiResourceLink(delivery.platformId, delivery.resourceLinkId);
  if (!platform || !link) return { state: 'failed', status: null, error: 'the platform or the LMS placement of this learner is no longer registered' };
  const context = await store.findLtiContext(platform.id, link.contextId);
  if (!link.lineitemUrl && facts.maximum === null) {
    return { state: 'superseded', status: null, error: 'no line item yet and no maximum to make one with: the grade will make it' };
  }
  const lineItem = await lineItemOf({ store, tokens: ctx.tokens, timeoutMs: ctx.timeoutMs }, platform, link, context,
    { assignmentName: facts.assignmentName, scoreMaximum: facts.maximum ?? 1 });
  const token = await ctx.tokens.token(platform, [SCOPE.score]);
  const answer = await platformRequest(scoresUrl(lineItem), {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': MEDIA.score },
    body: JSON.stringify(scoreBody(delivery.student, delivery.timestamp, facts)),
  }, ctx.timeoutMs);
  // A withheld score is remembered as such: releasing the feedback sends it again with the score.
  const withheld = facts.kind === 'withheld' ? { withheldAsOf: judgedAt } : {};
  if (answer.status >= 200 && answer.status < 300) return { state: 'delivered', status: answer.status, error: null, ...withheld };
  if (answer.status === 409) {
    return delivery.attempts > 0
      ? { state: 'delivered', status: 409, error: 'already applied (409 on a retry: an earlier attempt reached the platform)', ...withheld }
      : { state: 'superseded', status: 409, error: 'the platform holds a later score for this learner' };
  }
  if (answer.status === 401) ctx.tokens.forget(platform);
  throw answer.status === 401
    ? new PlatformFailure('the platform refused the access token (401); a new one is asked for', 401, false)
    : failureOf(`posting the score to ${scoresUrl(lineItem)}`, answer);
}

/** Makes one attempt; returns what the store keeps of it. */
export async function attemptScoreDelivery(ctx: PassbackContext, delivery: LtiScoreDelivery): Promise<LtiAttemptRecord> {
  try {
    if (await ctx.store.ltiScoreSuperseded(delivery)) return { state: 'superseded', status: null, error: 'a later grade of this learner was delivered' };
    // Noted before the facts are read: a release after this moment did not see this score go out withheld.
    const judgedAt = new Date().toISOString();
    return await send(ctx, delivery, await ctx.factsOf(delivery), judgedAt);
  } catch (error) {
    if (error instanceof PlatformFailure) {
      return error.final ? { state: 'failed', status: error.status, error: error.message } : retryOrGiveUp(ctx, delivery, error.status, error.message, error.retryAfterMs);
    }
    ctx.logger.error({ err: error, delivery: delivery.id }, 'score delivery failed inside gradebox; it is tried again');
    return retryOrGiveUp(ctx, delivery, null, 'gradebox failed to make the attempt (the log says why); it is tried again', null);
  }
}
