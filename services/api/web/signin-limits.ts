// Sign-in attempts are limited, counted in Redis so every API process shares the count (in memory
// while Redis is away, as the upload limits): failed sign-ins per email (a password cannot be
// guessed against one account), and sign-ins per client address (nor many accounts from one place).
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

const WINDOW_SECONDS = 15 * 60;

function limiter(redis: Redis, keyPrefix: string, points: number): RateLimiterAbstract {
  const window = { points, duration: WINDOW_SECONDS };
  return new RateLimiterRedis({ ...window, storeClient: redis, keyPrefix, rejectIfRedisNotReady: true, insuranceLimiter: new RateLimiterMemory({ ...window, keyPrefix }) });
}

export class SignInLimits {
  private readonly failures: RateLimiterAbstract;
  private readonly attempts: RateLimiterAbstract;

  constructor(redis: Redis, prefix: string, private readonly failuresPerEmail: number) {
    this.failures = limiter(redis, `${prefix}:rate:signin-failures`, failuresPerEmail);
    this.attempts = limiter(redis, `${prefix}:rate:signin-address`, failuresPerEmail * 10);
  }

  /** Counts an attempt from `address`; seconds to wait when it or `email` is over its limit, else 0. */
  async admit(email: string, address: string): Promise<number> {
    try {
      await this.attempts.consume(address);
    } catch (refusal) {
      if (refusal instanceof RateLimiterRes) return Math.ceil(refusal.msBeforeNext / 1000);
      throw refusal;
    }
    const used = await this.failures.get(email);
    return used && used.consumedPoints >= this.failuresPerEmail ? Math.ceil(used.msBeforeNext / 1000) : 0;
  }

  async failed(email: string): Promise<void> {
    await this.failures.penalty(email, 1);
  }

  async succeeded(email: string): Promise<void> {
    await this.failures.delete(email);
  }
}
