// Results reach the API at least once. The job stays this worker's until its result is through, so
// a send that fails for a reason that may pass (the API restarting, a network blip) is tried again
// with growing pauses; a worker that dies meanwhile loses nothing (the job is graded again). Only a
// message the API refuses for good, or a job handed back, ends the tries.
import { setTimeout as sleep } from 'node:timers/promises';

import { InternalError } from '../common/errors.js';

/** The code of a send the API refused for good (its verdict on the message itself): sending it again would change nothing. */
export const RESULT_REFUSED = 'E_RESULT_REFUSED';

export interface DeliveryOptions {
  /** Tries stop when it aborts (the job was handed back: its result is another worker's to send). */
  signal?: AbortSignal;
  /** @defaultValue 250 ms, doubling up to `maxDelayMs` */
  firstDelayMs?: number;
  /** @defaultValue 10000 ms */
  maxDelayMs?: number;
  /** Told about each failed try that will be tried again. */
  onRetry?: (error: unknown, delayMs: number) => void;
}

export function resultRefused(error: unknown): boolean {
  return error instanceof InternalError && error.code === RESULT_REFUSED;
}

/** Runs `send` until it succeeds; throws what a refused send threw, or the last error once `signal` aborts. */
export async function deliver(send: () => Promise<void>, options: DeliveryOptions = {}): Promise<void> {
  let delayMs = options.firstDelayMs ?? 250;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      await send();
      return;
    } catch (error) {
      if (resultRefused(error) || options.signal?.aborted) throw error;
      options.onRetry?.(error, delayMs);
      await sleep(delayMs, undefined, { signal: options.signal }).catch(() => { throw error; });
      delayMs = Math.min(delayMs * 2, options.maxDelayMs ?? 10_000);
    }
  }
}
