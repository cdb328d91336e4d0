// The API's Prometheus metrics. Read when scraped: queue depth (Redis, and the store by course),
// workers and their free slots (their reports in Redis). Counted as results are ingested: verdicts,
// times, incidents, retries; and the outbox's hand-overs to the queue.
//
// Label values are bounded: states, statuses, verdicts and languages are fixed lists; policies are
// the installed ones; syscalls are the kernel's (some hundreds); courses are made by operators
// (gradebox keys create), not by students, so a few hundred at most. No submission, student or
// worker id is ever a label.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

import type { OpenSubmissionCount } from '../store/store.js';
import { DeliveryMetrics } from './delivery-metrics.js';

/** What a scrape reads; kept as functions so the metrics never own a connection. */
export interface MetricSources {
  jobCounts(): Promise<Record<string, number>>;
  workerCount(): Promise<number>;
  workerSlots(): Promise<{ slots: number; free: number }>;
  openSubmissions(): Promise<OpenSubmissionCount[]>;
}

/** One grading's outcome, as ingested once. */
export interface GradedSample {
  verdict: string;
  language: string;
  /** From the upload to this result, s; null for a regrade. */
  sinceUploadSeconds: number | null;
  gradingSeconds: number;
  sandboxLaunchMs: number[];
  /** Each test's wall time, ms. */
  runMs: number[];
  incidents: Array<{ policy: string; syscall: string }>;
}

/** What `read` gives, or null when it fails, even at once (the queue throws while Redis is away): a scrape never fails for it. */
async function orNull<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch {
    return null;
  }
}

/** The gauges read when scraped. */
function scrapedGauges(sources: MetricSources, registers: Registry[]): void {
  new Gauge({
    name: 'gradebox_queue_jobs', help: 'Grading jobs in the queue, by state', labelNames: ['state'], registers,
    async collect() {
      const counts = await orNull(() => sources.jobCounts());
      if (counts) for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
    },
  });
  new Gauge({
    name: 'gradebox_submissions_open', help: 'Submissions queued or running, by course', labelNames: ['course', 'status'], registers,
    async collect() {
      const counts = await orNull(() => sources.openSubmissions());
      if (!counts) return;
      this.reset(); // a course whose queue emptied shows no stale number
      for (const { courseId, status, n } of counts) this.set({ course: courseId, status }, n);
    },
  });
  new Gauge({
    name: 'gradebox_workers', help: 'Workers connected to the queue', registers,
    async collect() {
      const n = await orNull(() => sources.workerCount());
      if (n !== null) this.set(n);
    },
  });
  new Gauge({
    name: 'gradebox_worker_slots', help: 'CPU slots of the workers alive (reported every 5 s), free or busy', labelNames: ['state'], registers,
    async collect() {
      const slots = await orNull(() => sources.workerSlots());
      if (!slots) return;
      this.set({ state: 'free' }, slots.free);
      this.set({ state: 'busy' }, slots.slots - slots.free);
    },
  });
}

export class ApiMetrics {
  readonly registry = new Registry();
  /** The webhook and LTI delivery workers' outcomes. */
  readonly deliveryAttempts = new DeliveryMetrics(this.registry);
  private readonly jobsByVerdict: Counter<'verdict'>;
  private readonly sinceUpload: Histogram<'language' | 'verdict'>;
  private readonly gradingSeconds: Histogram;
  private readonly sandboxLaunchSeconds: Histogram;
  private readonly sandboxRunSeconds: Histogram;
  private readonly violations: Counter;
  private readonly incidents: Counter<'policy' | 'syscall'>;
  private readonly retries: Counter;
  private readonly deliveries: Counter<'channel' | 'outcome'>;

  constructor(sources: MetricSources) {
    // The event-loop lag is sampled every 100 ms rather than prom-client's 10 ms: at 10 ms the idle
    // API woke 200 times a second, for a lag finer than any alert on it would use.
    collectDefaultMetrics({ register: this.registry, prefix: 'gradebox_api_', eventLoopMonitoringPrecision: 100 });
    const registers = [this.registry];
    scrapedGauges(sources, registers);
    this.jobsByVerdict = new Counter({ name: 'gradebox_jobs_graded_total', help: 'Graded submissions, by overall verdict (rate: gradings per second)', labelNames: ['verdict'], registers });
    this.sinceUpload = new Histogram({
      name: 'gradebox_upload_to_graded_seconds', help: 'Time from an upload to its first result (queue wait and grading), by language and verdict', labelNames: ['language', 'verdict'], registers,
      buckets: [1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, 1800],
    });
    this.gradingSeconds = new Histogram({
      name: 'gradebox_grading_duration_seconds', help: 'Time to grade one submission (build and every test)', registers,
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    });
    this.sandboxLaunchSeconds = new Histogram({
      name: 'gradebox_sandbox_launch_duration_seconds', help: 'Time a sandboxed run took beyond the program itself (setup and teardown)', registers,
      buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1],
    });
    this.sandboxRunSeconds = new Histogram({
      name: 'gradebox_sandbox_run_duration_seconds', help: 'Wall time of one test\'s sandboxed run', registers,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    });
    this.violations = new Counter({ name: 'gradebox_violations_total', help: 'Seccomp policy violations (security incidents)', registers });
    this.incidents = new Counter({ name: 'gradebox_incidents_total', help: 'Security incidents, by seccomp policy and syscall', labelNames: ['policy', 'syscall'], registers });
    this.retries = new Counter({ name: 'gradebox_grading_retries_total', help: 'Grading attempts after the first (a worker died or failed inside)', registers });
    this.deliveries = new Counter({ name: 'gradebox_deliveries_total', help: 'Hand-overs, by channel (outbox: a grading request to the queue) and outcome', labelNames: ['channel', 'outcome'], registers });
    this.deliveries.inc({ channel: 'outbox', outcome: 'delivered' }, 0); // present from the start, for rate() and the alerts
    this.deliveries.inc({ channel: 'outbox', outcome: 'failed' }, 0);
  }

  /** Called once per ingested result (idempotent ingestion calls it once per grading). */
  graded(sample: GradedSample): void {
    this.jobsByVerdict.inc({ verdict: sample.verdict });
    if (sample.sinceUploadSeconds !== null) this.sinceUpload.observe({ language: sample.language, verdict: sample.verdict }, sample.sinceUploadSeconds);
    this.gradingSeconds.observe(sample.gradingSeconds);
    for (const ms of sample.sandboxLaunchMs) this.sandboxLaunchSeconds.observe(ms / 1000);
    for (const ms of sample.runMs) this.sandboxRunSeconds.observe(ms / 1000);
    if (sample.incidents.length > 0) this.violations.inc(sample.incidents.length);
    for (const { policy, syscall } of sample.incidents) this.incidents.inc({ policy, syscall });
  }

  /** A grading attempt after the first began. */
  retried(): void {
    this.retries.inc();
  }

  /** A hand-over on `channel` succeeded or failed. */
  delivered(channel: 'outbox', outcome: 'delivered' | 'failed', n = 1): void {
    this.deliveries.inc({ channel, outcome }, n);
  }
}
