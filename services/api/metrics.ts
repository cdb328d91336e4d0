// The API's Prometheus metrics: queue depth and worker count are read from Redis when scraped;
// verdicts, durations and violations are counted as results are ingested.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** What a scrape asks the queue for; kept as a function so the metrics never own a connection. */
export interface QueueGauges {
  jobCounts(): Promise<Record<string, number>>;
  workerCount(): Promise<number>;
}

/** What `read` gives, or null when it fails, even at once (the queue throws while Redis is away): a scrape never fails for it. */
async function orNull<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch {
    return null;
  }
}

export class ApiMetrics {
  readonly registry = new Registry();
  private readonly jobsByVerdict: Counter<'verdict'>;
  private readonly gradingSeconds: Histogram;
  private readonly sandboxLaunchSeconds: Histogram;
  private readonly violations: Counter;

  constructor(queue: QueueGauges) {
    // The event-loop lag is sampled every 100 ms rather than prom-client's 10 ms: at 10 ms the idle
    // API woke 200 times a second, for a lag finer than any alert on it would use.
    collectDefaultMetrics({ register: this.registry, prefix: 'gradebox_api_', eventLoopMonitoringPrecision: 100 });
    const registers = [this.registry];
    new Gauge({
      name: 'gradebox_queue_jobs', help: 'Grading jobs in the queue, by state', labelNames: ['state'], registers,
      async collect() {
        const counts = await orNull(() => queue.jobCounts());
        if (counts) for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
      },
    });
    new Gauge({
      name: 'gradebox_workers', help: 'Workers connected to the queue', registers,
      async collect() {
        const n = await orNull(() => queue.workerCount());
        if (n !== null) this.set(n);
      },
    });
    this.jobsByVerdict = new Counter({ name: 'gradebox_jobs_graded_total', help: 'Graded submissions, by overall verdict', labelNames: ['verdict'], registers });
    this.gradingSeconds = new Histogram({
      name: 'gradebox_grading_duration_seconds', help: 'Time to grade one submission (build and every test)', registers,
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    });
    this.sandboxLaunchSeconds = new Histogram({
      name: 'gradebox_sandbox_launch_duration_seconds', help: 'Time a sandboxed run took beyond the program itself (setup and teardown)', registers,
      buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1],
    });
    this.violations = new Counter({ name: 'gradebox_violations_total', help: 'Seccomp policy violations (security incidents)', registers });
  }

  /** Called once per ingested result (idempotent ingestion calls it once per grading). */
  graded(verdict: string, seconds: number, sandboxLaunchMs: number[], violations: number): void {
    this.jobsByVerdict.inc({ verdict });
    this.gradingSeconds.observe(seconds);
    for (const ms of sandboxLaunchMs) this.sandboxLaunchSeconds.observe(ms / 1000);
    if (violations > 0) this.violations.inc(violations);
  }
}
