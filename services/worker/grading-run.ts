// One grading on a worker: take the inputs (carried in the job, or fetched), run the real pipeline on one CPU, hand back evidence and the result.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { Logger } from 'pino';

import { InternalError } from '../common/errors.js';
import type { GradeOptions } from '../grading/grade.js';
import type { SpareCpus } from '../grading/test-schedule.js';
import { writeInlineFiles } from '../intake/inline-files.js';
import type { GradeResult, IncidentNote } from '../protocol/grade-result.js';
import type { GradingJob } from '../protocol/grading-job.js';
import type { IncidentRef, ResultMessage } from '../protocol/result-message.js';
import { scratchPrefix } from './scratch-sweep.js';
import type { ProgressReport } from './progress-report.js';
import type { StartNotice } from './start-notice.js';
import type { WorkerBackend } from './worker-backend.js';

/** The grading pipeline (`gradeSubmission`), as a parameter. */
export type GradeFunction = (options: GradeOptions) => Promise<GradeResult>;

export interface GradingRunContext {
  backend: WorkerBackend;
  /** Delivers a message to the API (tried until it is through, or the job is handed back). */
  send: (message: ResultMessage) => Promise<void>;
  grade: GradeFunction;
  /** Each job's own temporary folder is made here and removed afterwards. */
  scratchRoot: string;
  log: Logger;
  /** True once the job was handed back to the queue: the result is then another worker's to send. */
  handedBack: () => boolean;
  /**
   * Runs the grading on a CPU slot once one is free (the inputs are ready by then) and gives the
   * slot back as soon as it is done, before the result is sent.
   */
  onCpu: <T>(grade: (cpu: string) => Promise<T>) => Promise<T>;
  /** Idle slots the grading's tests may borrow, to run several at once. @defaultValue none */
  spareCpus?: SpareCpus | undefined;
  /** When the start of the grading is announced: on its own, or carried by `finished`. */
  start: StartNotice;
  /** Removes the job's folder in the background (the next job need not wait for the disk). */
  removeLater: (dir: string) => void;
  /** Reports each judged test of a long grading. */
  progress?: ProgressReport;
}

/**
 * The seed of a grading (given to the program, recorded in the provenance): fixed per submission,
 * so a regrade runs the program under the same seed and differs only where the grader changed.
 */
export function seedFor(submissionId: string): number {
  return createHash('sha256').update(submissionId).digest().readUInt32BE(0) >>> 1;
}

function fileSha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** The archive and its manifest go to the API; the incident travels as references to them, with its audit log lines. */
async function uploadIncidents(backend: WorkerBackend, notes: IncidentNote[]): Promise<IncidentRef[]> {
  const refs: IncidentRef[] = [];
  for (const note of notes) {
    if (note.evidence) await backend.uploadEvidence(note.evidence.sha256, note.evidence.path);
    const manifest = note.evidence?.manifest ?? null;
    const manifestSha256 = manifest && existsSync(manifest) ? fileSha256(manifest) : null;
    if (manifest && manifestSha256) await backend.uploadEvidence(manifestSha256, manifest);
    refs.push({
      test: note.test, syscall: note.syscall, incidentId: note.incident_id, evidenceSha256: note.evidence?.sha256 ?? null, manifestSha256,
      audit: (note.audit ?? []) as IncidentRef['audit'],
    });
  }
  return refs;
}

/**
 * Takes the inputs of `job`, grades it on a CPU slot and publishes `finished`. Throws an
 * `InternalError` when the sandbox failed (`gradable: false`), so the caller's retry policy
 * applies; a `UserError` passes through.
 */
export async function gradeAndReport(ctx: GradingRunContext, job: GradingJob): Promise<GradeResult | null> {
  const scratch = mkdtempSync(join(ctx.scratchRoot, scratchPrefix()));
  try {
    const submission = job.files
      ? await writeInlineFiles(job.files, join(scratch, 'submission'))
      : await ctx.backend.submissionFiles(job.submissionId, scratch);
    const graderDir = await ctx.backend.graderDir(job.graderDigest);
    const result = await ctx.onCpu((cpu) => ctx.grade({ graderDir, submission, seed: seedFor(job.submissionId), cpuset: cpu, spareCpus: ctx.spareCpus, scratchDir: scratch, entry: job.entry, onTest: ctx.progress?.onTest }));
    await ctx.progress?.stop();
    if (!result.gradable) throw new InternalError('E_NOT_GRADABLE', `the sandbox failed (IE): ${result.internal_problems.join('; ') || 'no detail'}`);
    if (result.provenance.grader_digest !== job.graderDigest) {
      throw new InternalError('E_GRADER_DIGEST', `graded with grader ${result.provenance.grader_digest}, but the job asked for ${job.graderDigest}`);
    }
    const incidents = await uploadIncidents(ctx.backend, result.incidents);
    if (ctx.handedBack()) {
      ctx.log.warn({ verdict: result.verdict }, 'graded after the job was handed back: result discarded');
      return null;
    }
    const started = await ctx.start.carriedByOutcome();
    // Local evidence paths mean nothing to the API: incidents travel as references to uploaded archives.
    await ctx.send({ type: 'finished', submissionId: job.submissionId, gradeNumber: job.gradeNumber, result: { ...result, incidents: [] }, incidents, started });
    return result;
  } finally {
    ctx.removeLater(scratch);
  }
}
