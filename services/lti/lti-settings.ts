// How LTI behaves: lifetimes, tolerances, the passback's pace and retry schedule. Every field has a
// default; tests shorten the waits.

export interface LtiSettings {
  /** Where platforms and browsers reach gradebox (the redirect and deep-link URLs are made from it). @defaultValue GRADEBOX_PUBLIC_URL, else the API's own address */
  publicUrl: string;
  /** How long a login's state waits for its launch, ms. @defaultValue 600000 (10 min) */
  stateTtlMs: number;
  /** How long a launch's page may upload and read, ms (its token replaces a cookie an LMS iframe may not keep). @defaultValue 3600000 (1 h) */
  launchTtlMs: number;
  /** Clock difference allowed on exp and iat, s. @defaultValue 60 */
  clockToleranceS: number;
  /** Shortest wait between two fetches of a platform's JWKS (an unknown kid fetches it again), ms. @defaultValue 30000 */
  jwksCooldownMs: number;
  /** A request to a platform (token, line items, scores, roster) gives up after, ms. @defaultValue 15000 */
  requestTimeoutMs: number;
  /** The wait before each attempt of a score delivery, ms (the webhooks' schedule). */
  retryScheduleMs: readonly number[];
  /** How often the passback worker looks for due deliveries, ms. @defaultValue 1000 */
  passbackIntervalMs: number;
  /** Our key pairs kept published: the current one and those before it. @defaultValue 2 */
  keysKept: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export function ltiSettings(publicUrl: string, overrides: Partial<LtiSettings> = {}): LtiSettings {
  return {
    publicUrl,
    stateTtlMs: 10 * MINUTE,
    launchTtlMs: HOUR,
    clockToleranceS: 60,
    jwksCooldownMs: 30_000,
    requestTimeoutMs: 15_000,
    retryScheduleMs: [0, 5000, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 14 * HOUR, 20 * HOUR, 24 * HOUR],
    passbackIntervalMs: 1000,
    keysKept: 2,
    ...overrides,
  };
}

/** Canvas refuses API requests without a User-Agent; every request to a platform says who it is. */
export const USER_AGENT = 'gradebox-lti/1';
