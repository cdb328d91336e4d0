// A grading's way through PostgreSQL: attempts start it, a result or a failure ends it. Each step is
// idempotent on (submission, grade number), holds the submission's row lock, and only the latest
// grading moves the submission's status.
import { UserError } from '../common/errors.js';
import { checkAttemptBy, checkFailure, failureText } from './grading-checks.js';
import { checkIncident } from './incident-checks.js';
import { checkCount, checkFiniteNumber, checkText, jsonObjectText } from './input-checks.js';
import { now, row, rows, writeTransaction, type PgClient } from './pg-connection.js';
import type { PgContext } from './pg-context.js';
import { eventText, insertEvent } from './pg-events.js';
import { checkRequested, requireGradeState, type GradeState } from './pg-grade-state.js';
import { insertIncidents } from './pg-incidents.js';
import type { AttemptBy } from './store.js';
import type { StoreOperations } from './store-operations.js';

interface OutcomeRow {
  grade_number: number;
  outcome: 'graded' | 'error';
  result_json: string | null;
  error: string | null;
  created_at: string;
}

/** The submission's state, its row locked, with `gradeNumber` checked to have been requested. */
async function lockedStateFor(client: PgClient, submissionId: string, gradeNumber: number): Promise<GradeState> {
  const state = await requireGradeState(client, submissionId, true);
  checkRequested(state, submissionId, gradeNumber);
  return state;
}

async function hasOutcome(client: PgClient, submissionId: string, gradeNumber: number): Promise<boolean> {
  return (await row(client, 'SELECT 1 FROM results WHERE submission_id = $1 AND grade_number = $2', [submissionId, gradeNumber])) !== undefined;
}

async function setStatus(client: PgClient, submissionId: string, status: 'running' | 'graded' | 'error', error: string | null, errorCode: string | null = null): Promise<void> {
  await client.query('UPDATE submissions SET status = $1, error = $2, error_code = $3, updated_at = $4 WHERE id = $5', [status, error, errorCode, now(), submissionId]);
}

/**
 * Counts a try (and, for the latest grading, its `running` event); returns its number among the
 * grading's attempts, or 0 when that try was counted already.
 */
async function insertAttempt(client: PgClient, submissionId: string, gradeNumber: number, by: AttemptBy, state: GradeState): Promise<number> {
  const inserted = await client.query(`INSERT INTO attempts (submission_id, grade_number, worker_id, worker_attempt, started_at)
    VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, [submissionId, gradeNumber, by.workerId, by.attempt, now()]);
  if (inserted.rowCount === 0) return 0;
  const { attempt } = (await row<{ attempt: number }>(client, 'SELECT COUNT(*) AS attempt FROM attempts WHERE submission_id = $1 AND grade_number = $2', [submissionId, gradeNumber]))!;
  if (gradeNumber === state.gradeNumber) await insertEvent(client, submissionId, 'running', JSON.stringify({ gradeNumber, attempt }));
  return attempt;
}

export function gradingOperations(context: PgContext) {
  const { pool, options } = context;
  return {
    /**
     * Counts an attempt at a grading. A grading that already has its outcome is not started again
     * (a late duplicate from the queue), nor is a try counted already (its start sent again); an
     * earlier grading still running is counted but leaves the status to the latest one.
     */
    startAttempt(submissionId, gradeNumber, by) {
      checkCount('grade number', gradeNumber, 1);
      checkAttemptBy(by);
      return writeTransaction(pool, async (client) => {
        const state = await lockedStateFor(client, submissionId, gradeNumber);
        if (await hasOutcome(client, submissionId, gradeNumber)) return { started: false, attempt: 0 };
        const attempt = await insertAttempt(client, submissionId, gradeNumber, by, state);
        if (attempt === 0) return { started: false, attempt: 0 };
        if (gradeNumber === state.gradeNumber) await setStatus(client, submissionId, 'running', null);
        return { started: true, attempt };
      });
    },

    /** Stores the result and the incidents of a grading once; the first outcome of a grading stays. */
    recordResult(submissionId, gradeNumber, result, summary) {
      checkCount('grade number', gradeNumber, 1);
      const json = jsonObjectText('result', result, options.maxJsonBytes);
      const verdict = checkText('verdict', summary?.verdict, 40);
      const score = checkFiniteNumber('score', summary.score);
      const maxScore = checkFiniteNumber('max score', summary.maxScore);
      if (typeof summary.gradable !== 'boolean') throw new UserError('E_BAD_INPUT', 'gradable must be true or false');
      const incidents = (summary.incidents ?? []).map((i) => checkIncident(i, options.maxJsonBytes));
      if (summary.startedBy !== undefined) checkAttemptBy(summary.startedBy);
      const graded = eventText(context, 'graded', { gradeNumber, verdict, score, maxScore, gradable: summary.gradable });
      return writeTransaction(pool, async (client) => {
        const state = await lockedStateFor(client, submissionId, gradeNumber);
        const inserted = await client.query(`INSERT INTO results (submission_id, grade_number, outcome, verdict, score, max_score, gradable, result_json, created_at)
          VALUES ($1, $2, 'graded', $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
        [submissionId, gradeNumber, verdict, score, maxScore, summary.gradable, json, now()]);
        if (inserted.rowCount === 0) return { stored: false };
        if (summary.startedBy !== undefined) await insertAttempt(client, submissionId, gradeNumber, summary.startedBy, state);
        await insertIncidents(client, submissionId, gradeNumber, incidents);
        if (gradeNumber === state.gradeNumber) {
          await setStatus(client, submissionId, 'graded', null);
          await insertEvent(client, submissionId, 'graded', graded);
        }
        return { stored: true };
      });
    },

    /**
     * The grading failed for good: status `error` with the message (and the user error's code, if
     * one caused it), unless it already has an outcome.
     */
    recordFailure(submissionId, gradeNumber, message, code) {
      checkCount('grade number', gradeNumber, 1);
      checkFailure(message, code);
      const text = failureText(message);
      return writeTransaction(pool, async (client) => {
        const state = await lockedStateFor(client, submissionId, gradeNumber);
        const inserted = await client.query(`INSERT INTO results (submission_id, grade_number, outcome, error, created_at)
          VALUES ($1, $2, 'error', $3, $4) ON CONFLICT DO NOTHING`, [submissionId, gradeNumber, text, now()]);
        if (inserted.rowCount === 0) return { stored: false };
        if (gradeNumber === state.gradeNumber) {
          await setStatus(client, submissionId, 'error', text, code ?? null);
          await insertEvent(client, submissionId, 'error', JSON.stringify({ gradeNumber, message: text, ...(code ? { code } : {}) }));
        }
        return { stored: true };
      });
    },

    async listGradings(submissionId) {
      await requireGradeState(pool, submissionId);
      const found = await rows<OutcomeRow>(pool, 'SELECT grade_number, outcome, result_json, error, created_at FROM results WHERE submission_id = $1 ORDER BY grade_number',
        [submissionId]);
      return found.map((r) => ({
        gradeNumber: r.grade_number, outcome: r.outcome, error: r.error, createdAt: r.created_at,
        result: r.result_json === null ? null : JSON.parse(r.result_json) as Record<string, unknown>,
      }));
    },

    /** A `test` event of the latest grading while it runs; null once it has its outcome, or for an earlier grading. */
    async recordProgress(submissionId, gradeNumber, data) {
      checkCount('grade number', gradeNumber, 1);
      const text = jsonObjectText('progress', data, options.maxJsonBytes);
      return writeTransaction(pool, async (client) => {
        const state = await lockedStateFor(client, submissionId, gradeNumber);
        if (gradeNumber !== state.gradeNumber || await hasOutcome(client, submissionId, gradeNumber)) return null;
        return insertEvent(client, submissionId, 'test', eventText(context, 'test', { ...JSON.parse(text) as object, gradeNumber }));
      });
    },

    async listAttempts(submissionId) {
      await requireGradeState(pool, submissionId);
      const found = await rows<{ grade_number: number; worker_id: string; worker_attempt: number | null; started_at: string }>(pool,
        'SELECT grade_number, worker_id, worker_attempt, started_at FROM attempts WHERE submission_id = $1 ORDER BY started_at, id', [submissionId]);
      return found.map((r) => ({ gradeNumber: r.grade_number, workerId: r.worker_id, attempt: r.worker_attempt, startedAt: r.started_at }));
    },
  } satisfies Partial<StoreOperations>;
}
