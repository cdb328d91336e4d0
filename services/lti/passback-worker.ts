// Delivers scores in the API process: every interval it claims the deliveries that are due (a
// lease keeps another API process off them), makes one attempt at each and keeps its outcome. The
// deliveries and their next attempt times live in the store, so a restart loses no score and no wait.
import type { Logger } from 'pino';

import { attemptScoreDelivery, type PassbackContext } from './passback-attempt.js';

/** Deliveries claimed per round. */
const BATCH = 20;
/** How often scores withheld until a due date are looked for once it has passed. */
const DUE_SWEEP_MS = 30_000;

export class PassbackWorker {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private paused = false;
  private lastDueSweep = -Infinity;

  constructor(private readonly context: PassbackContext, private readonly intervalMs: number, private readonly logger: Logger) {}

  start(): void {
    this.timer = setInterval(() => this.kick(), this.intervalMs);
    this.kick();
  }

  /** Delivers now, unless a round is running (the next tick takes what it missed). */
  kick(): void {
    this.running ??= this.round().finally(() => { this.running = null; });
  }

  private async round(): Promise<void> {
    try {
      await this.sweepPastDue();
      // A lease long enough for a token, a line item and the score, each within the timeout.
      const due = await this.context.store.claimLtiScoreDeliveries(new Date().toISOString(), BATCH, 4 * this.context.timeoutMs);
      for (const delivery of due) {
        const began = performance.now();
        const record = await attemptScoreDelivery(this.context, delivery);
        await this.context.store.recordLtiScoreAttempt(delivery.id, record);
        this.context.metrics.ltiScoreAttempt(record.state, (performance.now() - began) / 1000);
        const log = { delivery: delivery.id, course: delivery.courseId, student: delivery.student, kind: delivery.kind, status: record.status };
        if (record.state === 'failed') this.logger.warn({ ...log, error: record.error }, 'score passback failed for good');
        else if (record.state === 'pending') this.logger.info({ ...log, error: record.error, next: record.nextAttemptAt }, 'score passback attempt failed');
      }
      this.paused = false;
    } catch (error) {
      // The store busy: the deliveries stay, the next round tries again. Said once per spell.
      if (!this.paused) this.logger.warn({ err: error }, 'score passback paused');
      this.paused = true;
    }
  }

  /** A score sent withheld until its due date goes again once the date has passed (as a release sends it). */
  private async sweepPastDue(): Promise<void> {
    if (performance.now() - this.lastDueSweep < DUE_SWEEP_MS) return;
    this.lastDueSweep = performance.now();
    const resent = await this.context.store.resendLtiScoresPastDue(new Date().toISOString());
    if (resent > 0) this.logger.info({ resent }, 'scores withheld until a due date sent again');
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
