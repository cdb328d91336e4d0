// Hands the outbox's grading requests to the queue. A request stays in the outbox until the queue
// has it, so a Redis outage delays gradings but loses none; re-sending is safe (the job id is
// the submission and its grade number).
import type { Logger } from 'pino';

import type { GradingQueue } from '../queue/grading-queue.js';
import type { Store } from '../store/store.js';
import { inlineFilesOf } from './inline-files.js';

export interface OutboxRelayOptions {
  /** How often the outbox is looked at besides each {@link OutboxRelay.kick}, ms. @defaultValue 1000 */
  intervalMs?: number;
  /** Rows handled per round. @defaultValue 200 */
  batch?: number;
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
    try {
      for (const row of await this.store.pendingOutbox(this.options.batch ?? 200)) {
        await this.queue.enqueue({
          submissionId: row.submissionId, gradeNumber: row.gradeNumber, courseId: row.courseId,
          graderDigest: row.graderDigest, kind: row.kind, enqueuedAt: new Date().toISOString(),
          files: await inlineFilesOf(this.store, row.submissionId),
          ...(row.entry === null ? {} : { entry: row.entry }),
        });
        await this.store.markOutboxDispatched(row.id);
      }
    } catch (error) {
      // Redis away (or the store busy): the rows stay, the next round tries again.
      this.logger.warn({ err: error }, 'outbox relay paused');
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
