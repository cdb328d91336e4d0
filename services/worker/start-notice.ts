// When a grading's `started` message goes out. Most gradings end within a fraction of a second: for
// those, `finished` carries the start instead, which spares the API a queue message and a store
// write per submission. A student still sees `running` then `graded`, only at once.
import type { AttemptRef } from '../protocol/result-message.js';

/** A grading still running after this long announces its start, ms. */
export const STARTED_AFTER_MS = 500;

export class StartNotice {
  private timer: NodeJS.Timeout | undefined;
  private begun = false;
  private sent: Promise<void> | undefined;

  /** `publish` sends the `started` message of `attempt`; it is called at most once. */
  constructor(private readonly attempt: AttemptRef, private readonly publish: () => Promise<void>, private readonly afterMs = STARTED_AFTER_MS) {}

  /** The grading is on a CPU: `started` goes out if it still runs after {@link STARTED_AFTER_MS}. */
  begin(): void {
    this.begun = true;
    this.timer = setTimeout(() => void this.send(), this.afterMs);
  }

  /**
   * For the `finished` message: the start to carry, or undefined when `started` went out on its
   * own (resolved once its send ended, so `finished` never overtakes it).
   */
  async carriedByOutcome(): Promise<AttemptRef | undefined> {
    clearTimeout(this.timer);
    if (!this.sent) return this.attempt;
    // Refused (or cut short): `finished` carries the start instead.
    return this.sent.then(() => undefined, () => this.attempt);
  }

  /** Once `started` went out on its own: resolves when it was delivered; undefined before. */
  get announced(): Promise<void> | undefined {
    return this.sent;
  }

  /** Any other end of a begun grading (a retry, a `failed`): `started` goes out now if it has not. */
  async sendNow(): Promise<void> {
    clearTimeout(this.timer);
    if (this.begun) await this.send();
  }

  private send(): Promise<void> {
    if (!this.sent) {
      this.sent = this.publish();
      this.sent.catch(() => {}); // met where it is awaited
    }
    return this.sent;
  }
}
