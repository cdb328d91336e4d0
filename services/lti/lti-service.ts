// LTI in the API process: the tool's keys, the platforms' keys, service tokens and the passback
// worker; close() stops the worker.
import type { Logger } from 'pino';

import type { Store } from '../store/store.js';
import type { LtiSettings } from './lti-settings.js';
import type { ScoreAttemptMetrics, ScoreFactsOf } from './passback-attempt.js';
import { PassbackWorker } from './passback-worker.js';
import { PlatformKeys } from './platform-keys.js';
import { ServiceTokens } from './service-token.js';
import { ToolKeys } from './tool-keys.js';

export interface LtiService {
  settings: LtiSettings;
  toolKeys: ToolKeys;
  platformKeys: PlatformKeys;
  tokens: ServiceTokens;
  passback: PassbackWorker;
  /** Starts delivering scores. */
  start(): void;
  close(): Promise<void>;
}

export function ltiService(store: Store, settings: LtiSettings, factsOf: ScoreFactsOf, logger: Logger, metrics: ScoreAttemptMetrics): LtiService {
  const toolKeys = new ToolKeys(store, settings.keysKept);
  const tokens = new ServiceTokens(toolKeys, settings.requestTimeoutMs);
  const passback = new PassbackWorker({
    store, tokens, factsOf, timeoutMs: settings.requestTimeoutMs, retryScheduleMs: settings.retryScheduleMs, logger, metrics,
  }, settings.passbackIntervalMs, logger);
  return {
    settings, toolKeys, tokens, passback,
    platformKeys: new PlatformKeys(settings),
    start: () => passback.start(),
    close: () => passback.stop(),
  };
}
