// How webhooks are sent and received, each setting with its default (the configuration's, which
// the environment may override: services/common/config.ts). Tests give schedules in milliseconds.
import { config } from '../common/config.js';

export interface WebhookSettings {
  /** Networks endpoints may be in although special (loopback, private, …). @defaultValue none */
  allowNetworks: string[];
  /** DNS servers that resolve endpoint hosts; none: the system's resolver. @defaultValue none */
  dnsServers: string[];
  /** The delay before each attempt of a delivery, ms; one attempt per entry. @defaultValue 0, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h */
  retryScheduleMs: number[];
  /** How long one attempt may take in all (name resolution, connection, answer), ms. @defaultValue 15000 */
  timeoutMs: number;
  /** An endpoint whose every attempt has failed this long is disabled, ms. @defaultValue 5 days */
  disableAfterMs: number;
  /** After a rotation, how long the previous secret still signs, ms. @defaultValue 24 h */
  rotationGraceMs: number;
  /** Inbound: how far a webhook's timestamp may be from the clock, ms. @defaultValue 5 min */
  toleranceMs: number;
  /** Deliveries one API process makes at once. @defaultValue 8 */
  concurrency: number;
  /** How often the relay looks for deliveries to hand to the queue, ms. @defaultValue 250 */
  relayIntervalMs: number;
}

export function webhookSettings(overrides: Partial<WebhookSettings> = {}): WebhookSettings {
  const c = config();
  return {
    allowNetworks: c.webhookAllowedNetworks,
    dnsServers: c.webhookDnsServers,
    retryScheduleMs: c.webhookRetryScheduleMs,
    timeoutMs: c.webhookTimeoutMs,
    disableAfterMs: c.webhookDisableAfterMs,
    rotationGraceMs: c.webhookRotationGraceMs,
    toleranceMs: c.webhookToleranceMs,
    concurrency: 8,
    relayIntervalMs: 250,
    ...overrides,
  };
}
