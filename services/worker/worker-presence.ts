// Tells the API this worker is alive and how many of its slots are grading (the queue page's
// workers), every few seconds, until it stops. Best effort: Redis being away only hides the
// worker from that page for a while.
import { PRESENCE_EVERY_MS, WorkerRoster, type WorkerPresence } from '../queue/worker-roster.js';

export class WorkerPresenceBeat {
  private readonly timer: NodeJS.Timeout;
  private readonly startedAt = new Date().toISOString();

  constructor(private readonly roster: WorkerRoster, private readonly now: () => Omit<WorkerPresence, 'startedAt' | 'seenAt'>) {
    this.beat();
    this.timer = setInterval(() => this.beat(), PRESENCE_EVERY_MS);
    this.timer.unref();
  }

  private beat(): void {
    void this.roster.announce({ ...this.now(), startedAt: this.startedAt, seenAt: new Date().toISOString() }).catch(() => {});
  }

  /** Stops telling, and takes the worker off the roster at once. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.roster.remove(this.now().id).catch(() => {});
  }
}
