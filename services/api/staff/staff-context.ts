// What every staff route module is given.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

import type { UploadLimits } from '../../intake/upload-limits.js';
import type { Store } from '../../store/store.js';
import type { ApiLimits } from '../api-limits.js';
import type { OutboxRelay } from '../outbox-relay.js';
import type { StaffAuditor } from '../staff-auditor.js';

export interface StaffContext {
  store: Store;
  audit: StaffAuditor;
  relay: OutboxRelay;
  logger: Logger;
  /** A private folder: each grader upload is unpacked in a fresh folder inside, removed afterwards. */
  stagingDir: string;
  limits: ApiLimits;
  /** The API's Redis connection: the queue's counts and the workers' roster. */
  redis: Redis;
  /** The queue's Redis key prefix. */
  redisPrefix: string;
  /** The grading queue's jobs by state (throws while Redis is away). */
  jobCounts: () => Promise<Record<string, number>>;
  /** Overrides of the grader upload's caps (tests). */
  graderUploadLimits?: Partial<UploadLimits>;
}
