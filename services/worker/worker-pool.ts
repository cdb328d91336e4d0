// The grading worker: a BullMQ consumer with one CPU-pinned slot per concurrent job, bounded retries of
// internal failures, stalled-job recovery, and a shutdown that finishes or hands back what it holds.
import { rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';

import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { pino, type DestinationStream, type Logger } from 'pino';

import { gradeSubmission } from '../grading/grade.js';
import { firstIssue } from '../protocol/first-issue.js';
import { gradingIdsSchema, gradingJobSchema, type GradingJob } from '../protocol/grading-job.js';
import type { ResultMessage } from '../protocol/result-message.js';
import { FairShare } from '../queue/fair-share.js';
import { DEFAULT_GRADING_QUEUE, DEFAULT_PREFIX, type QueueNames } from '../queue/grading-queue.js';
import { verifyJob } from '../queue/job-signature.js';
import { WorkerRoster } from '../queue/worker-roster.js';
import { CpuSlots, defaultCpus } from './cpu-slots.js';
import { gradeAndReport, type GradeFunction } from './grading-run.js';
import { InFlightJob } from './in-flight-job.js';
import { ProgressReport } from './progress-report.js';
import { judgeFailure } from './job-failure.js';
import { deliver, resultRefused } from './result-delivery.js';
import { StartNotice } from './start-notice.js';
import type { WorkerBackend } from './worker-backend.js';
import { WorkerPresenceBeat } from './worker-presence.js';

export interface WorkerPoolOptions extends QueueNames {
  /** Use the `worker` profile (waits Redis out). The caller owns it and quits it after {@link WorkerPool.close}. */
  connection: Redis;
  /** Where inputs come from and evidence and results go. */
  backend: WorkerBackend;
  /** Checks each job's HMAC (see job-signature.ts): `jobKeyFromToken(the workers' token)`. */
  jobKey: Buffer;
  /** CPUs the slots are pinned to. @defaultValue every CPU this process may use */
  cpus?: string[];
  /** Jobs graded at once; slot i is pinned to cpus[i mod cpus.length]. @defaultValue `cpus.length` */
  concurrency?: number;
  /**
   * Jobs taken ahead of a free slot: their files and grader are made ready while the slots grade,
   * so a slot that frees starts the next grading at once instead of waiting for the queue and the
   * inputs. A waiting job is handed back at shutdown. @defaultValue `concurrency` (one per slot)
   */
  prefetch?: number;
  /** Names this worker in logs, `started` messages and on the jobs. @defaultValue `<hostname>:<pid>` */
  workerId?: string;
  /** A job's lock lasts this long and is renewed at half of it; a dead worker's job is free again after it, ms. @defaultValue 30000 */
  lockDurationMs?: number;
  /** How often this worker looks for jobs whose worker died, ms. @defaultValue 30000 */
  stalledIntervalMs?: number;
  /** A job whose worker died more often than this fails for good (it may be what kills them). @defaultValue 2 */
  maxStalls?: number;
  /** On close, in-flight jobs get this long to finish before they are handed back, ms. @defaultValue 120000 */
  graceMs?: number;
  /** Where the JSON log lines go. @defaultValue standard error */
  logStream?: DestinationStream;
  /** @defaultValue `info` */
  logLevel?: string;
  /** The grading pipeline. @defaultValue `gradeSubmission` */
  grade?: GradeFunction;
  /** Parent of each job's temporary folder. @defaultValue the OS temp dir */
  scratchDir?: string;
}

/** Why a job fails for good, as its `failed` message says it. */
interface GivenUp {
  reason: string;
  /** The student's own doing (their submission), not an internal failure. @defaultValue false */
  userError?: boolean;
  /** The user error's code. */
  code?: string;
  /** The API request that asked for the grading: only from a payload that was checked. */
  requestId?: string;
}

/** `message` naming the API request that asked for its grading, when the job named one. */
function withRequestId(message: ResultMessage, requestId: string | undefined): ResultMessage {
  return requestId === undefined ? message : { ...message, requestId };
}

export class WorkerPool {
  /** This worker's name. */
  readonly id: string;
  readonly log: Logger;
  private readonly worker: Worker;
  /** Set once the jobs in flight are handed back: a job taken after that goes back at once. */
  private handedBackAll = false;
  private readonly fairShare: FairShare;
  private readonly slots: CpuSlots;
  private readonly inFlight = new Set<InFlightJob>();
  private readonly abandoned = new Set<Promise<unknown>>();
  /** Job folders being removed; a shutdown waits for them (a crash leaves them to the next start's sweep). */
  private readonly removals = new Set<Promise<void>>();
  private closing: Promise<void> | undefined;
  private endedWithoutRedis = false;
  private readonly presence: WorkerPresenceBeat;

  constructor(private readonly options: WorkerPoolOptions) {
    this.id = options.workerId ?? `${hostname()}:${process.pid}`;
    this.log = pino({ name: 'gradebox-worker', level: options.logLevel ?? 'info', base: { worker: this.id } }, options.logStream ?? pino.destination(2));
    const cpus = options.cpus ?? defaultCpus();
    const concurrency = options.concurrency ?? cpus.length;
    this.slots = new CpuSlots(cpus, concurrency);
    const prefix = options.prefix ?? DEFAULT_PREFIX;
    const maxStalls = options.maxStalls ?? 2;
    this.worker = new Worker(options.name ?? DEFAULT_GRADING_QUEUE, (job, token) => this.process(job, token), {
      connection: options.connection,
      prefix,
      name: this.id,
      concurrency: concurrency + (options.prefetch ?? concurrency),
      lockDuration: options.lockDurationMs ?? 30_000,
      stalledInterval: options.stalledIntervalMs ?? 30_000,
      // One more than ours, so a job over our limit comes to process() and fails there with a 'failed' message.
      maxStalledCount: maxStalls + 1,
    });
    this.fairShare = new FairShare(options.connection, { keyBase: this.worker.qualifiedName });
    this.worker.on('error', (error) => this.log.warn({ err: error }, 'queue trouble (retrying)'));
    this.worker.on('stalled', (jobId) => this.log.warn({ job: jobId }, 'a worker died holding this job: it is back in the queue'));
    this.presence = new WorkerPresenceBeat(new WorkerRoster(options.connection, prefix), () => ({
      id: this.id, slots: concurrency, busy: concurrency - this.slots.idle, cpus: cpus.join(','),
    }));
    this.log.info({ cpus, concurrency, prefetch: options.prefetch ?? concurrency, queue: this.worker.qualifiedName }, 'worker started');
  }

  /** Jobs this worker holds: being graded, or ready and waiting for a slot. */
  get activeJobs(): number {
    return this.inFlight.size;
  }

  /** True when {@link close} ended without Redis: its connections may still be trying to reach it. */
  get closedWithoutRedis(): boolean {
    return this.endedWithoutRedis;
  }

  /** Handed-back jobs whose grading has not ended yet (their sandboxes still run). */
  get abandonedJobs(): number {
    return this.abandoned.size;
  }

  private async process(job: Job, token: string | undefined): Promise<string | null> {
    const log = this.log.child({ job: job.id, attempt: job.attemptsStarted });
    // In flight from the start, so a shutdown hands it back even while it is still being checked.
    const flight = new InFlightJob(job, token);
    this.inFlight.add(flight);
    // Taken after the jobs in flight were handed back: it goes back too.
    if (this.handedBackAll) void flight.handBack().catch(() => {});
    const work = this.accept(job, log, flight.signal).then((accepted) => this.run(job, accepted.payload, flight, accepted.log));
    try {
      return await Promise.race([work, flight.handedBackSignal]);
    } finally {
      this.inFlight.delete(flight);
      if (flight.handedBack) {
        const settled = work.catch(() => null).finally(() => this.abandoned.delete(settled));
        this.abandoned.add(settled);
      }
    }
  }

  /**
   * The checked payload, and the job's logger bound to the id of the API request that asked for the
   * grading (every line of it carries `request_id` from here on); a job that cannot be graded (not
   * signed, bad payload, stalled too often) fails for good here.
   */
  private async accept(job: Job, jobLog: Logger, handedBack: AbortSignal): Promise<{ payload: GradingJob; log: Logger }> {
    const signed = verifyJob(job.data, this.options.jobKey);
    if ('problem' in signed) return this.refuse(signed.problem, jobLog);
    const parsed = gradingJobSchema.safeParse(signed.payload);
    if (!parsed.success) return this.giveUp(job, { reason: `invalid job payload: ${firstIssue(parsed.error)}` }, jobLog, handedBack);
    const payload = parsed.data;
    const log = payload.requestId === undefined ? jobLog : jobLog.child({ request_id: payload.requestId });
    // Only the course's count of waiting jobs: the grading need not wait for it.
    void this.fairShare.release(payload, job.id!).catch((error: unknown) => log.warn({ err: error }, 'cannot update the fair-share count'));
    const maxStalls = this.options.maxStalls ?? 2;
    if (job.stalledCounter > maxStalls) {
      await this.giveUp(job, { reason: `internal failure: the worker grading this job died ${job.stalledCounter} times`, requestId: payload.requestId }, log, handedBack);
    }
    return { payload, log };
  }

  /**
   * Fails a job the API did not make, without a word to the API: its ids are whatever its maker
   * wrote, and a `failed` message would let that maker end a real submission's grading.
   */
  private refuse(problem: string, log: Logger): never {
    log.error({ reason: problem }, 'job refused: the API did not make it; nothing graded');
    throw new UnrecoverableError(`refused, ${problem}`);
  }

  /** Publishes `failed` (when the job names its grading) and fails the job without retries. */
  private async giveUp(job: Job, failure: GivenUp, log: Logger, handedBack: AbortSignal): Promise<never> {
    const { reason, code, requestId } = failure;
    log.error({ reason }, 'job failed for good');
    const ids = gradingIdsSchema.safeParse(job.data);
    if (ids.success) {
      const failed: ResultMessage = { type: 'failed', ...ids.data, reason, userError: failure.userError ?? false, ...(code ? { code } : {}) };
      await this.send(withRequestId(failed, requestId), log, handedBack).catch((error: unknown) => {
        // Refused too (say, the submission is gone): nothing more to tell; the job still ends here.
        if (!resultRefused(error)) throw error;
        log.error({ err: error }, 'the API refused the failed message');
      });
    }
    throw new UnrecoverableError(reason);
  }

  private async run(job: Job, payload: GradingJob, flight: InFlightJob, log: Logger): Promise<string | null> {
    const began = performance.now();
    const attempt = { workerId: this.id, attempt: Math.max(1, job.attemptsStarted) };
    // Every message about this grading names the request that asked for it, for the API's log.
    const tagged = (message: ResultMessage): ResultMessage => withRequestId(message, payload.requestId);
    const start = new StartNotice(attempt, () => this.send(tagged({ type: 'started', submissionId: payload.submissionId, gradeNumber: payload.gradeNumber, ...attempt }), log, flight.signal));
    const onCpu = <T>(grade: (cpu: string) => Promise<T>): Promise<T> => this.slots.use((cpu) => {
      flight.onCpu = true;
      log.info({ cpu, submission: payload.submissionId, grade: payload.gradeNumber, waited_ms: Math.round(performance.now() - began) }, 'grading');
      start.begin();
      return grade(cpu);
    }, flight.signal);
    const ids = { submissionId: payload.submissionId, gradeNumber: payload.gradeNumber };
    const progress = new ProgressReport(ids, start, (message) => this.options.backend.sendResult(tagged(message), flight.signal), log);
    try {
      const result = await gradeAndReport({
        backend: this.options.backend, send: (message) => this.send(tagged(message), log, flight.signal), grade: this.options.grade ?? gradeSubmission,
        scratchRoot: this.options.scratchDir ?? tmpdir(), log, handedBack: () => flight.handedBack, onCpu, spareCpus: this.slots.asSpare(), start,
        removeLater: (dir) => this.removeLater(dir, log), progress,
      }, payload);
      log.info({ verdict: result?.verdict, score: result?.score, ms: Math.round(performance.now() - began) }, 'graded');
      return result?.verdict ?? null;
    } catch (error) {
      if (flight.handedBack) throw error;
      // The attempt counts, whatever comes of it.
      await start.sendNow().catch((sendError: unknown) => log.warn({ err: sendError }, 'cannot send the started message'));
      // A result the API refuses for good would be refused again after another grading.
      if (resultRefused(error)) return this.giveUp(job, { reason: `the API refused the result: ${(error as Error).message}`, requestId: payload.requestId }, log, flight.signal);
      const judgement = judgeFailure(error, { made: job.attemptsMade, allowed: job.opts.attempts ?? 1 });
      if (judgement.retry) {
        log.warn({ err: error }, 'internal failure: the job will be retried');
        throw error;
      }
      return this.giveUp(job, { reason: judgement.reason, userError: judgement.userError, code: judgement.code, requestId: payload.requestId }, log, flight.signal);
    }
  }

  /** Sends `message` until the API has it; ends early only if it is refused, or the job handed back. */
  private send(message: ResultMessage, log: Logger, handedBack: AbortSignal): Promise<void> {
    return deliver(() => this.options.backend.sendResult(message, handedBack), {
      signal: handedBack,
      onRetry: (error, delayMs) => log.warn({ err: error, type: message.type, retry_ms: delayMs }, 'cannot send the result to the API yet (retrying)'),
    });
  }

  private removeLater(dir: string, log: Logger): void {
    const removal: Promise<void> = rm(dir, { recursive: true, force: true })
      .catch((error: unknown) => log.warn({ err: error, dir }, 'cannot remove the job folder; a worker started after this one ends sweeps it'))
      .finally(() => this.removals.delete(removal));
    this.removals.add(removal);
  }

  /**
   * Stops taking jobs (as {@link close} does) and hands every in-flight job back to the queue now,
   * for another worker; whatever their gradings still produce here is discarded.
   */
  async handBack(): Promise<void> {
    void this.close();
    this.handedBackAll = true;
    await this.handBackJobs([...this.inFlight]);
  }

  private async handBackJobs(flights: InFlightJob[]): Promise<void> {
    await Promise.all(flights.map((flight) => flight.handBack()
      .catch((error: unknown) => this.log.error({ err: error, job: flight.job.id }, 'cannot hand the job back; it returns when its lock expires'))));
  }

  /**
   * Stops taking jobs and waits up to `graceMs` for the ones in flight; then hands the rest back.
   * A handed-back job's sandboxes end with their own limits, or at once when the process exits
   * (the launcher tears them down when its parent dies); {@link abandonedJobs} says how many remain.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.log.info({ inFlight: this.inFlight.size }, 'closing: no new jobs');
    // Not awaited: with Redis away the worker's connection would hold the command until it is back.
    void this.presence.stop();
    const finished = this.worker.close();
    const redisAway = this.idleWithoutRedis();
    const outcome = await Promise.race([this.finishOrHandBack(finished).then(() => 'closed' as const), redisAway.reached.then(() => 'redis away' as const)]);
    redisAway.stop();
    if (outcome === 'redis away') {
      this.endedWithoutRedis = true;
      this.log.warn('Redis is not reachable and no job is in flight: closing without it (a job still held returns to the queue when its lock expires)');
    }
    await Promise.all(this.removals);
    this.log.info({ abandoned: this.abandoned.size }, 'closed');
  }

  /**
   * Reached once Redis is unreachable and no job is in flight here: BullMQ's close would wait for
   * Redis forever then (say, when the `gradebox start` that ran both is gone), with nothing left to hand over.
   */
  private idleWithoutRedis(): { reached: Promise<void>; stop: () => void } {
    let timer: NodeJS.Timeout | undefined;
    const reached = new Promise<void>((resolve) => {
      timer = setInterval(() => { if (this.options.connection.status !== 'ready' && this.inFlight.size === 0) resolve(); }, 1000);
    });
    return { reached, stop: () => clearInterval(timer) };
  }

  private async finishOrHandBack(finished: Promise<void>): Promise<void> {
    // Jobs taken ahead and not yet grading go back at once, for another worker.
    await this.handBackJobs([...this.inFlight].filter((flight) => !flight.onCpu));
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(true), this.options.graceMs ?? 120_000); });
    const late = await Promise.race([finished.then(() => false), graceOver]);
    clearTimeout(timer);
    if (late) {
      this.log.warn({ inFlight: this.inFlight.size }, 'grace period over: handing the jobs in flight back');
      await this.handBack();
      await finished;
    }
  }
}
