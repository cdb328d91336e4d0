// Per-key rate limits (uploads, regrades), counted in Redis so every API process shares them; a
// key over its limit gets 429 with Retry-After. While Redis is away each process counts in memory
// instead: the outbox exists so that a Redis outage never refuses an upload, and a limit that
// failed closed would turn that outage into one (at a deadline, the worst moment); in memory
// each process still holds a key to the limit.
import type { RequestHandler, Response } from 'express';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

import { keyOf } from './auth.js';
import { HttpError } from './http-errors.js';

export interface RateLimitOptions {
  /** The API's Redis connection (fail-fast: a command while Redis is away fails at once). */
  redis: Redis;
  /** Names the counters in Redis, e.g. `gradebox:rate:uploads`. */
  keyPrefix: string;
  /** Requests one course key may make per minute. */
  perMinute: number;
  /** What is limited, in the 429's message: "uploads", "regrades". */
  what: string;
  /** Whose count a request adds to. @defaultValue the caller's key or session (auth.ts keyOf) */
  counted?: (res: Response) => string;
  /** Who is limited, in the 429's message. @defaultValue 'this course key' */
  who?: string;
}

/** A middleware, after the caller is known, that counts one request of the caller's key, or answers 429. */
export function rateLimit(options: RateLimitOptions): RequestHandler {
  const window = { points: options.perMinute, duration: 60 };
  const limiter = new RateLimiterRedis({
    ...window, storeClient: options.redis, keyPrefix: options.keyPrefix,
    // Straight to the in-memory count while the connection is down, instead of a failed command first.
    rejectIfRedisNotReady: true,
    insuranceLimiter: new RateLimiterMemory({ ...window, keyPrefix: options.keyPrefix }),
  });
  return async (_req, res, next) => {
    try {
      await limiter.consume((options.counted ?? keyOf)(res));
    } catch (refusal) {
      if (!(refusal instanceof RateLimiterRes)) throw refusal;
      const seconds = Math.max(1, Math.ceil(refusal.msBeforeNext / 1000));
      res.set('Retry-After', String(seconds));
      throw new HttpError(429, 'E_RATE_LIMITED', `${options.who ?? 'this course key'} may make ${options.perMinute} ${options.what} a minute; send it again in ${seconds} s (Retry-After)`);
    }
    next();
  };
}
