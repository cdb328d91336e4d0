// A job a worker is grading, and how it is handed back to the queue when the worker must stop first.
import { WaitingError, type Job } from 'bullmq';

export class InFlightJob {
  private interrupt: (error: Error) => void = () => {};
  private readonly handingBack = new AbortController();
  /** True once the job holds a CPU slot: its grading has begun. */
  onCpu = false;
  /** Rejects (with BullMQ's WaitingError, which it does not count as a failure) once handed back. */
  readonly handedBackSignal: Promise<never>;

  constructor(readonly job: Job, private readonly token: string | undefined) {
    this.handedBackSignal = new Promise<never>((_, reject) => {
      this.interrupt = reject;
    });
    this.handedBackSignal.catch(() => {}); // raced by the processor; never unhandled
  }

  /** Aborts when the job is handed back, so that a job still waiting for a CPU slot stops waiting. */
  get signal(): AbortSignal {
    return this.handingBack.signal;
  }

  /** True once the job went back to the queue: whatever this worker still finds is discarded. */
  get handedBack(): boolean {
    return this.handingBack.signal.aborted;
  }

  /**
   * Puts the job back in the queue under its old priority (it keeps its place) for another worker,
   * at once rather than after the lock expires, and releases the processor.
   */
  async handBack(): Promise<void> {
    if (this.handedBack || this.token === undefined) return;
    this.handingBack.abort(new WaitingError());
    await this.job.moveToWait(this.token);
    this.interrupt(new WaitingError());
  }
}
