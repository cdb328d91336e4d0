// A long grading's progress, for whoever follows it (the SSE `test` events): once the grading has
// announced its start (it has run STARTED_AFTER_MS), each judged test is sent to the API, the ones
// judged before that with the first. One try each, one send at a time: a lost report costs only a
// moment of a progress bar, as the result brings every test anyway. Short gradings send none.
import type { Logger } from 'pino';

import type { TestResult } from '../protocol/grade-result.js';
import type { ResultMessage, TestProgress } from '../protocol/result-message.js';
import type { StartNotice } from './start-notice.js';

export class ProgressReport {
  private readonly pending: TestProgress[] = [];
  private sending: Promise<void> | null = null;
  private done = 0;
  private total = 0;
  private stopped = false;

  constructor(
    private readonly grading: { submissionId: string; gradeNumber: number },
    private readonly start: StartNotice,
    private readonly send: (message: ResultMessage) => Promise<void>,
    private readonly log: Logger,
  ) {}

  /** For `gradeSubmission`'s onTest. */
  readonly onTest = (test: TestResult, index: number, total: number): void => {
    // Tests on several slots are judged in any order: count them, do not take the index for the count.
    if (test.verdict === null) return; // not run: nothing to show until the result
    this.done += 1;
    this.total = total;
    this.pending.push({
      index, name: test.name, verdict: test.verdict, score: test.score, max_score: test.max_score, visibility: test.visibility,
      cpu_ms: test.cpu_ms, wall_ms: test.wall_ms, memory_kb: test.memory_kb,
    });
    const announced = this.start.announced;
    if (announced) void announced.then(() => this.flush(), () => {});
  };

  /** No more reports; resolves once a report on its way has arrived, so that none follows the outcome. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.sending;
  }

  private flush(): void {
    this.sending ??= this.sendPending().finally(() => { this.sending = null; });
  }

  private async sendPending(): Promise<void> {
    while (this.pending.length > 0 && !this.stopped) {
      const tests = this.pending.splice(0);
      await this.send({ type: 'progress', ...this.grading, done: this.done, total: this.total, tests })
        .catch((error: unknown) => this.log.debug({ err: error }, 'a progress report was not delivered'));
    }
  }
}
