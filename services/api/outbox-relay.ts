// Hands the outbox's grading requests to the queue. A request stays in the outbox until the queue
// has it, so a Redis outage delays gradings but loses none; re-sending is safe (the job id is
// the submission and its grade number). The relays of several API processes share one outbox: each
// round claims its rows for a while (a lease), so each request is handed over by one relay.
import type { Logger } from 'pino';

import type { GradingQueue } from '../queue/grading-queue.js';
import type { Store } from '../store/store.js';
import type { ApiMetrics } from './metrics.js';
import { inlineFilesOf } from './inline-files.js';

export interface OutboxRelayOptions {
  /** How often the outbox is looked at besides each {@link OutboxRelay.kick}, ms. @defaultValue 1000 */
  intervalMs?: number;
  /** Rows handled per round. @defaultValue 200 */
  batch?: number;
  /**
   * How long a round's claim on its rows lasts, ms: a relay that dies holding rows leaves them to
   * the others after this. Far longer than a round takes. @defaultValue 60000
   */
  leaseMs?: number;
  /** Told how each round's hand-overs went. */
  metrics?: Pick<ApiMetrics, 'delivered'>;
}

export class OutboxRelay {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;

  constructor(private readonly store: Store, private readonly queue: GradingQueue, private readonly logger: Logger, private readonly options: OutboxRelayOptions = {}) {}

  start(): void {
    this.timer = setInterval(() => this.kick(), this.options.intervalMs ?? 1000);
    this.kick();
  }

  /** Relays now (or right after the round in progress). */
  kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.round().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  private async round(): Promise<void> {
    let unsent: number[] = [];
    try {
      const rows = await this.store.claimOutbox(this.options.batch ?? 200, this.options.leaseMs ?? 60_000);
      unsent = rows.map((row) => row.id);
      for (const row of rows) {
        await this.queue.enqueue({
          submissionId: row.submissionId, gradeNumber: row.gradeNumber, courseId: row.courseId,
          graderDigest: row.graderDigest, kind: row.kind, enqueuedAt: new Date().toISOString(),
          files: await inlineFilesOf(this.store, row.submissionId),
          ...(row.entry === null ? {} : { entry: row.entry }),
          ...(row.requestId === null ? {} : { requestId: row.requestId }),
        });
        await this.store.markOutboxDispatched(row.id);
        unsent = unsent.filter((id) => id !== row.id);
        this.options.metrics?.delivered('outbox', 'delivered');
      }
    } catch (error) {
      this.options.metrics?.delivered('outbox', 'failed', Math.max(1, unsent.length));
      // Redis away (or the store busy): the rows stay, given back so the next round (this relay's
      // or another's) tries again at once rather than after the lease.
      this.logger.warn({ err: error }, 'outbox relay paused');
      if (unsent.length > 0) await this.store.releaseOutbox(unsent).catch(() => undefined);
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
