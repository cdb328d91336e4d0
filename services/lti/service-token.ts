// Access tokens for a platform's services (LTI Security Framework 1.0, 4.1: the client-credentials
// grant with a JWT client assertion, RFC 7523): the assertion is signed with our current key, its
// aud the platform's token URL and its jti random; a token is cached per platform and scopes until
// shortly before it expires, so a burst of score deliveries asks for one token.
import { randomBytes } from 'node:crypto';

import { SignJWT } from 'jose';

import type { LtiPlatform } from '../store/lti-store.js';
import { failureOf, platformRequest, PlatformFailure } from './platform-request.js';
import { ALGORITHM, type ToolKeys } from './tool-keys.js';

/** A cached token is dropped this long before the platform said it expires, s (at most half its life). */
const EARLY_S = 60;

interface CachedToken {
  token: string;
  expiresAtMs: number;
}

export class ServiceTokens {
  private readonly cache = new Map<string, Promise<CachedToken>>();

  constructor(private readonly keys: ToolKeys, private readonly timeoutMs: number) {}

  /** A token for `scopes` at the platform: the cached one while it lasts, else a new one. */
  async token(platform: LtiPlatform, scopes: readonly string[]): Promise<string> {
    const key = `${platform.id} ${[...scopes].sort().join(' ')}`;
    const cached = this.cache.get(key);
    if (cached) {
      const held = await cached.catch(() => null);
      if (held && held.expiresAtMs > Date.now()) return held.token;
      if (this.cache.get(key) === cached) this.cache.delete(key);
    }
    // One request for all who ask at once; a failed one is not kept.
    const fresh = this.request(platform, scopes);
    this.cache.set(key, fresh);
    fresh.catch(() => { if (this.cache.get(key) === fresh) this.cache.delete(key); });
    return (await fresh).token;
  }

  /** Forgets the platform's tokens (one was refused: it may have been revoked). */
  forget(platform: LtiPlatform): void {
    for (const key of [...this.cache.keys()]) if (key.startsWith(`${platform.id} `)) this.cache.delete(key);
  }

  private async assertion(platform: LtiPlatform): Promise<string> {
    const { kid, key } = await this.keys.signingKey();
    return new SignJWT({})
      .setProtectedHeader({ alg: ALGORITHM, kid, typ: 'JWT' })
      .setIssuer(platform.clientId).setSubject(platform.clientId).setAudience(platform.tokenUrl)
      .setIssuedAt().setExpirationTime('5m').setJti(randomBytes(16).toString('base64url'))
      .sign(key);
  }

  private async request(platform: LtiPlatform, scopes: readonly string[]): Promise<CachedToken> {
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: await this.assertion(platform),
      scope: scopes.join(' '),
    });
    const answer = await platformRequest(platform.tokenUrl, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: body.toString(),
    }, this.timeoutMs);
    if (answer.status !== 200) {
      // A refused token is a registration to fix (a key turned off, our new key not fetched yet): tried again on the schedule meanwhile.
      const failure = failureOf(`the token request to ${platform.tokenUrl}`, answer);
      throw new PlatformFailure(failure.message, failure.status, false, failure.retryAfterMs);
    }
    const { access_token: token, expires_in: expiresIn } = (answer.json ?? {}) as { access_token?: unknown; expires_in?: unknown };
    if (typeof token !== 'string' || token === '') throw new PlatformFailure(`${platform.tokenUrl} answered 200 without an access_token`, 200, false);
    const lifeS = typeof expiresIn === 'number' && expiresIn > 0 ? expiresIn : 3600;
    return { token, expiresAtMs: Date.now() + (lifeS - Math.min(EARLY_S, lifeS / 2)) * 1000 };
  }
}
