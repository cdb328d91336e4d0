// Each platform's public keys, fetched from its JWKS URL and cached; a token signed with a kid the
// cache lacks fetches the set again (at most once per cooldown), so a platform's key rotation
// needs nothing from an operator.
import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';

import { USER_AGENT, type LtiSettings } from './lti-settings.js';

export class PlatformKeys {
  private readonly sets = new Map<string, JWTVerifyGetKey>();

  constructor(private readonly settings: Pick<LtiSettings, 'jwksCooldownMs' | 'requestTimeoutMs'>) {}

  /** The key resolver of the platform whose keys are at `jwksUrl`. */
  of(jwksUrl: string): JWTVerifyGetKey {
    let set = this.sets.get(jwksUrl);
    if (!set) {
      set = createRemoteJWKSet(new URL(jwksUrl), {
        cooldownDuration: this.settings.jwksCooldownMs,
        timeoutDuration: this.settings.requestTimeoutMs,
        headers: { 'User-Agent': USER_AGENT },
      });
      this.sets.set(jwksUrl, set);
    }
    return set;
  }
}
