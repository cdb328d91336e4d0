// Shared by the API tests: the real API service (store, Redis, HTTP on loopback; no workers, so
// submissions stay queued until a test posts their outcome as a worker would), with a course,
// an assignment, a course key, its log lines, and a short way to read the event stream.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { Queue } from 'bullmq';
import { pino } from 'pino';
import type { Test } from 'uvu';

import type { ApiLimits } from '../../services/api/api-limits.js';
import type { LtiSettings } from '../../services/lti/lti-settings.js';
import { startApiService, type ApiService } from '../../services/api/api-service.js';
import type { UploadLimits } from '../../services/intake/upload-limits.js';
import { uploadSubmission } from '../../services/bench/portal-client.js';
import { gradingJobId } from '../../services/protocol/grading-job.js';
import { DEFAULT_GRADING_QUEUE } from '../../services/queue/grading-queue.js';
import type { PrivateRedis } from '../../services/queue/private-redis.js';
import type { Store } from '../../services/store/store.js';
import type { WebhookSettings } from '../../services/webhooks/webhook-settings.js';
import { removeTempDirs, tempDir } from './helpers.js';
import { addAssignment } from './store-fixtures.js';
import { connection, privateRedis, randomPrefix, until } from './queue-fixtures.js';

export const COURSE = 'cs101';
export const ASSIGNMENT = 'sum';

export interface TestApi {
  url: string;
  /** A key of COURSE. */
  key: string;
  store: Store;
  dataDir: string;
  /** Its Redis keys' prefix. */
  queuePrefix: string;
  workerToken: string;
  /** The service's log, one parsed JSON object per line. */
  logs: Array<Record<string, unknown>>;
  service: ApiService;
}

export interface TestApiOptions {
  limits?: Partial<ApiLimits>;
  operatorToken?: string;
  /** A second API process of that one: the same data folder, Redis keys and course key. */
  sameAs?: TestApi;
  /** LTI's lifetimes, pace and retry schedule. */
  lti?: Partial<LtiSettings>;
  /** Failed sign-ins per email in 15 minutes. */
  signInFailures?: number;
  webhooks?: Partial<WebhookSettings>;
  uploadLimits?: Partial<UploadLimits>;
  /** The store in this PostgreSQL database; unset: SQLite in the data folder. */
  databaseUrl?: string;
}

export async function startTestApi(redis: PrivateRedis, options: TestApiOptions = {}): Promise<TestApi> {
  const dataDir = options.sameAs?.dataDir ?? tempDir('gradebox-api-t-');
  const queuePrefix = options.sameAs?.queuePrefix ?? randomPrefix();
  const logs: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => { logs.push(JSON.parse(line) as Record<string, unknown>); } });
  const service = await startApiService({
    dataDir, redisUrl: redis.url, port: 0, logger, queuePrefix, limits: options.limits, operatorToken: options.operatorToken, signInFailures: options.signInFailures,
    webhooks: options.webhooks, uploadLimits: options.uploadLimits, databaseUrl: options.databaseUrl, lti: options.lti,
  });
  const { store } = service;
  let key = options.sameAs?.key;
  if (!key) {
    await store.createCourse(COURSE);
    await addAssignment(store, COURSE, ASSIGNMENT, '/srv/graders/sum', 'a'.repeat(64));
    key = (await store.createApiKey(COURSE)).secret;
  }
  const workerToken = readFileSync(join(dataDir, 'worker-token'), 'utf8').trim();
  const url = `http://127.0.0.1:${service.port}`;
  // Until its Redis connection is ready the API counts rate limits in memory: tests start from Redis.
  await until(async () => (await fetch(`${url}/readyz`)).ok, 10_000, 'the API ready');
  return { url: `http://127.0.0.1:${service.port}`, key, store, dataDir, queuePrefix, workerToken, logs, service };
}

/**
 * One API for a test file's tests (with `options`): on a private Redis, started before the first
 * test (both handed to `started`) and closed, with the Redis and the temp folders, after the last.
 */
export function testApiPerFile(suite: Test, started: (api: TestApi, redis: PrivateRedis) => void | Promise<void>, options: TestApiOptions = {}): void {
  let redis: PrivateRedis | undefined;
  let api: TestApi | undefined;
  suite.before(async () => {
    redis = await privateRedis();
    api = await startTestApi(redis, options);
    await started(api, redis);
  });
  suite.after(async () => {
    await api?.service.close();
    await redis?.stop();
    removeTempDirs();
  });
}

/** Uploads one small file to ASSIGNMENT; returns the submission id (the upload must be accepted). */
export async function uploadOne(api: { url: string; key: string }, student = 'ada'): Promise<string> {
  const sent = await uploadSubmission(api, { assignment: ASSIGNMENT, student }, { 'main.c': 'int main(void) { return 0; }\n' });
  if (sent.status !== 202) throw new Error(`upload refused: ${sent.status} ${JSON.stringify(sent.body)}`);
  return sent.body.id!;
}

/** Posts a message about a grading as a worker does; returns the HTTP status. */
export async function postResult(api: TestApi, message: object): Promise<number> {
  const response = await fetch(`${api.url}/internal/v1/results`, {
    method: 'POST', headers: { authorization: `Bearer ${api.workerToken}`, 'content-type': 'application/json' }, body: JSON.stringify(message),
  });
  await response.arrayBuffer();
  return response.status;
}

export interface SseEvent {
  id: number;
  type: string;
  data: Record<string, unknown>;
}

/** The events a finished stream carried. */
export function parseEvents(text: string): SseEvent[] {
  return [...text.matchAll(/^id: (\d+)\nevent: (\w+)\ndata: (.*)$/gm)].map((m) => ({ id: Number(m[1]), type: m[2]!, data: JSON.parse(m[3]!) as Record<string, unknown> }));
}

/** GETs with the course key (or `key`), answering status, headers and the parsed JSON body. */
export async function getJson(api: { url: string; key: string }, path: string, key = api.key): Promise<{ status: number; headers: Headers; body: any }> {
  const response = await fetch(`${api.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

/** The data of a grading's job, once the API's outbox relay has queued it. */
export async function queuedJobData(redis: PrivateRedis, api: TestApi, submissionId: string, gradeNumber: number): Promise<Record<string, unknown>> {
  const queue = new Queue(DEFAULT_GRADING_QUEUE, { connection: await connection(redis, 'api'), prefix: api.queuePrefix });
  try {
    let data: Record<string, unknown> | undefined;
    await until(async () => { data = (await queue.getJob(gradingJobId({ submissionId, gradeNumber })))?.data; return data !== undefined; }, 10_000, 'the job queued');
    return data!;
  } finally {
    await queue.close();
  }
}
