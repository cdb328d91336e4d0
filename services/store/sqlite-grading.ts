// A grading's way through SQLite: attempts start it, a result or a failure ends it. Each step is
// idempotent on (submission, grade number), and only the latest grading moves the submission's status.
import { UserError } from '../common/errors.js';
import { checkAttemptBy, checkFailure, failureText } from './grading-checks.js';
import { checkCount, checkFiniteNumber, checkText, jsonObjectText } from './input-checks.js';
import { now, writeTransaction, type SqliteDatabase } from './sqlite-connection.js';
import type { SqliteContext } from './sqlite-context.js';
import { appendEvent } from './sqlite-events.js';
import { checkRequested, requireGradeState, type GradeState } from './sqlite-grade-state.js';
import { checkIncident } from './incident-checks.js';
import { insertIncidents } from './sqlite-incidents.js';
import type { AttemptBy } from './store.js';
import type { StoreOperations } from './store-operations.js';


interface OutcomeRow {
  grade_number: number;
  outcome: 'graded' | 'error';
  result_json: string | null;
  error: string | null;
  created_at: string;
}

function stateFor(db: SqliteDatabase, submissionId: string, gradeNumber: number): GradeState {
  const state = requireGradeState(db, submissionId);
  checkRequested(state, submissionId, gradeNumber);
  return state;
}

function hasOutcome(db: SqliteDatabase, submissionId: string, gradeNumber: number): boolean {
  return db.prepare('SELECT 1 FROM results WHERE submission_id = ? AND grade_number = ?').get(submissionId, gradeNumber) !== undefined;
}

function setStatus(db: SqliteDatabase, submissionId: string, status: 'running' | 'graded' | 'error', error: string | null, errorCode: string | null = null): void {
  db.prepare('UPDATE submissions SET status = ?, error = ?, error_code = ?, updated_at = ? WHERE id = ?').run(status, error, errorCode, now(), submissionId);
}

/**
 * Counts a try (and, for the latest grading, its `running` event); returns its number among the
 * grading's attempts, or 0 when that try was counted already.
 */
function insertAttempt(context: SqliteContext, submissionId: string, gradeNumber: number, by: AttemptBy, state: GradeState): number {
  const { db } = context;
  const inserted = db.prepare(`INSERT INTO attempts (submission_id, grade_number, worker_id, worker_attempt, started_at)
    VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`).run(submissionId, gradeNumber, by.workerId, by.attempt, now());
  if (inserted.changes === 0) return 0;
  const attempt = db.prepare('SELECT COUNT(*) FROM attempts WHERE submission_id = ? AND grade_number = ?').pluck().get(submissionId, gradeNumber) as number;
  if (gradeNumber === state.gradeNumber) appendEvent(context, submissionId, 'running', { gradeNumber, attempt });
  return attempt;
}

export function gradingOperations(context: SqliteContext) {
  const { db, options } = context;
  return {
    /**
     * Counts an attempt at a grading. A grading that already has its outcome is not started again
     * (a late duplicate from the queue), nor is a try counted already (its start sent again); an
     * earlier grading still running is counted but leaves the status to the latest one.
     */
    startAttempt(submissionId, gradeNumber, by) {
      checkCount('grade number', gradeNumber, 1);
      checkAttemptBy(by);
      return writeTransaction(db, () => {
        const state = stateFor(db, submissionId, gradeNumber);
        if (hasOutcome(db, submissionId, gradeNumber)) return { started: false, attempt: 0 };
        const attempt = insertAttempt(context, submissionId, gradeNumber, by, state);
        if (attempt === 0) return { started: false, attempt: 0 };
        if (gradeNumber === state.gradeNumber) setStatus(db, submissionId, 'running', null);
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
      return writeTransaction(db, () => {
        const state = stateFor(db, submissionId, gradeNumber);
        const inserted = db.prepare(`INSERT INTO results (submission_id, grade_number, outcome, verdict, score, max_score, gradable, result_json, created_at)
          VALUES (?, ?, 'graded', ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
          .run(submissionId, gradeNumber, verdict, score, maxScore, summary.gradable ? 1 : 0, json, now());
        if (inserted.changes === 0) return { stored: false };
        if (summary.startedBy !== undefined) insertAttempt(context, submissionId, gradeNumber, summary.startedBy, state);
        insertIncidents(db, submissionId, gradeNumber, incidents);
        if (gradeNumber === state.gradeNumber) {
          setStatus(db, submissionId, 'graded', null);
          appendEvent(context, submissionId, 'graded', { gradeNumber, verdict, score, maxScore, gradable: summary.gradable });
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
      return writeTransaction(db, () => {
        const state = stateFor(db, submissionId, gradeNumber);
        const inserted = db.prepare(`INSERT INTO results (submission_id, grade_number, outcome, error, created_at)
          VALUES (?, ?, 'error', ?, ?) ON CONFLICT DO NOTHING`).run(submissionId, gradeNumber, text, now());
        if (inserted.changes === 0) return { stored: false };
        if (gradeNumber === state.gradeNumber) {
          setStatus(db, submissionId, 'error', text, code ?? null);
          appendEvent(context, submissionId, 'error', { gradeNumber, message: text, ...(code ? { code } : {}) });
        }
        return { stored: true };
      });
    },

    /** Appends a `test` event unless the grading has ended or a later one was asked for (a late or stray report is dropped). */
    recordProgress(submissionId, gradeNumber, data) {
      checkCount('grade number', gradeNumber, 1);
      const text = jsonObjectText('progress', data, options.maxJsonBytes);
      return writeTransaction(db, () => {
        const state = stateFor(db, submissionId, gradeNumber);
        if (gradeNumber !== state.gradeNumber || hasOutcome(db, submissionId, gradeNumber)) return null;
        return appendEvent(context, submissionId, 'test', { ...JSON.parse(text) as object, gradeNumber });
      });
    },

    listAttempts(submissionId) {
      requireGradeState(db, submissionId);
      const rows = db.prepare('SELECT grade_number, worker_id, worker_attempt, started_at FROM attempts WHERE submission_id = ? ORDER BY started_at, id')
        .all(submissionId) as Array<{ grade_number: number; worker_id: string; worker_attempt: number | null; started_at: string }>;
      return rows.map((r) => ({ gradeNumber: r.grade_number, workerId: r.worker_id, attempt: r.worker_attempt, startedAt: r.started_at }));
    },

    listGradings(submissionId) {
      requireGradeState(db, submissionId);
      const rows = db.prepare('SELECT grade_number, outcome, result_json, error, created_at FROM results WHERE submission_id = ? ORDER BY grade_number')
        .all(submissionId) as OutcomeRow[];
      return rows.map((row) => ({
        gradeNumber: row.grade_number, outcome: row.outcome, error: row.error, createdAt: row.created_at,
        result: row.result_json === null ? null : JSON.parse(row.result_json) as Record<string, unknown>,
      }));
    },
  } satisfies Partial<StoreOperations>;
}
