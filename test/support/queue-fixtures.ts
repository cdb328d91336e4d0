// Shared by the queue and worker tests: a private Redis per test file, random queue names, waiting helpers.
import { randomBytes } from 'node:crypto';

import type { Redis } from 'ioredis';

import type { GradingJob } from '../../services/protocol/grading-job.js';
import type { ResultMessage } from '../../services/protocol/result-message.js';
import { jobKeyFromToken } from '../../services/queue/job-signature.js';
import { connectRedis, waitForRedis, type RedisProfile } from '../../services/queue/redis-connection.js';
import { startPrivateRedis, type PrivateRedis } from '../../services/queue/private-redis.js';
import { removeTempDirs, tempDir } from './helpers.js';

/** The worker token of tests that run no API process; queues and workers in one test share it. */
export const TEST_TOKEN = 'the-tests-worker-token';
/** The jobs' HMAC key of {@link TEST_TOKEN}. */
export const JOB_KEY = jobKeyFromToken(TEST_TOKEN);

/** A fresh key prefix, so tests never see each other's queues. */
export function randomPrefix(): string {
  return `gbt-${randomBytes(5).toString('hex')}`;
}

/** A private redis-server in a temp dir (removed by removeTempDirs). */
export async function privateRedis(): Promise<PrivateRedis> {
  return startPrivateRedis({ dir: tempDir('gbr-') });
}

const connections: Redis[] = [];

/** A connection that closeConnections() ends. */
export async function connection(server: PrivateRedis, profile: RedisProfile): Promise<Redis> {
  const redis = connectRedis(server.url, { profile });
  connections.push(redis);
  await waitForRedis(redis, 5000);
  return redis;
}

export function closeConnections(): void {
  for (const redis of connections.splice(0)) redis.disconnect();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it holds; fails naming `what` after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

export function gradingJob(overrides: Partial<GradingJob> = {}): GradingJob {
  return {
    submissionId: 'sub-1', gradeNumber: 1, courseId: 'course-a', graderDigest: 'a'.repeat(64),
    kind: 'grade', enqueuedAt: new Date().toISOString(), ...overrides,
  };
}

/**
 * What an idempotent API would ingest (give `handler` to a DirectoryBackend or the FakeApi): the first `finished` or `failed` per (submission, grade number)
 * wins; every delivery is also kept, so tests can count duplicates.
 */
export class ResultLog {
  readonly deliveries: ResultMessage[] = [];
  readonly outcomes = new Map<string, ResultMessage>();

  readonly handler = async (message: ResultMessage): Promise<void> => {
    this.deliveries.push(message);
    const key = `${message.submissionId}.${message.gradeNumber}`;
    // A progress report is neither a start nor an outcome.
    if (message.type !== 'started' && message.type !== 'progress' && !this.outcomes.has(key)) this.outcomes.set(key, message);
  };

  of(type: ResultMessage['type']): ResultMessage[] {
    return this.deliveries.filter((m) => m.type === type);
  }

  /**
   * Every attempt's start in the order delivered: a `started` message, or the start a `finished`
   * carries (a grading that ended quickly sends no `started` of its own).
   */
  starts(): Array<{ submissionId: string; gradeNumber: number; workerId: string; attempt: number }> {
    return this.deliveries.flatMap((m) => {
      if (m.type === 'started') return [{ submissionId: m.submissionId, gradeNumber: m.gradeNumber, workerId: m.workerId, attempt: m.attempt }];
      if (m.type === 'finished' && m.started) return [{ submissionId: m.submissionId, gradeNumber: m.gradeNumber, ...m.started }];
      return [];
    });
  }

  outcome(submissionId: string, gradeNumber = 1): ResultMessage | undefined {
    return this.outcomes.get(`${submissionId}.${gradeNumber}`);
  }
}

/**
 * A test file's private redis-server, started before its first test and stopped after its last;
 * `closers` (queues, workers …) are closed after each test, newest first.
 */
export function useRedisServer(suite: { before: (fn: () => Promise<void>) => void; after: (fn: () => Promise<void>) => void } & { after: { each: (fn: () => Promise<void>) => void } }): {
  server: () => PrivateRedis;
  closers: Array<() => Promise<void>>;
} {
  let server: PrivateRedis | undefined;
  const closers: Array<() => Promise<void>> = [];
  suite.before(async () => {
    server = await privateRedis();
  });
  suite.after.each(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    closeConnections();
  });
  suite.after(async () => {
    await server?.stop();
    removeTempDirs();
  });
  return { server: () => server!, closers };
}
