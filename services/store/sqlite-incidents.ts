// Security incidents (a syscall outside the policy) of gradings, with the blob of their evidence.
import { UserError } from '../common/errors.js';
import { checkIncident, checkNote, checkTriageState, type CheckedIncident } from './incident-checks.js';
import { checkCount, checkLimit, checkText, quote } from './input-checks.js';
import { toIncident, type IncidentRow } from './rows.js';
import { now, writeTransaction, type SqliteDatabase } from './sqlite-connection.js';
import type { SqliteContext } from './sqlite-context.js';
import { checkRequested, requireGradeState } from './sqlite-grade-state.js';
import { addWebhookMessage } from './sqlite-webhook-messages.js';
import type { Incident } from './store.js';
import type { StoreOperations } from './store-operations.js';

/** Inserts checked incidents (each with its webhook message) inside the caller's transaction. */
export function insertIncidents(db: SqliteDatabase, submissionId: string, gradeNumber: number, incidents: CheckedIncident[]): number[] {
  const statement = db.prepare(`INSERT INTO incidents (submission_id, grade_number, syscall, evidence_sha256, evidence_path, record_json, created_at)
    VALUES (?, ?, ?, ?, ?, ?, ?)`);
  const at = now();
  return incidents.map((i) => {
    const id = Number(statement.run(submissionId, gradeNumber, i.syscall, i.evidenceSha256, i.evidencePath, i.recordJson, at).lastInsertRowid);
    addWebhookMessage(db, 'incident.opened', { submissionId, gradeNumber, incidentId: id });
    return id;
  });
}

function queryIncidents(db: SqliteDatabase, tail: string, params: unknown[]): Incident[] {
  const rows = db.prepare(`SELECT i.*, s.course_id FROM incidents i JOIN submissions s ON s.id = i.submission_id ${tail}`).all(...params) as IncidentRow[];
  return rows.map(toIncident);
}

export function incidentOperations({ db, options }: SqliteContext) {
  return {
    addIncident(incident) {
      const checked = checkIncident(incident, options.maxJsonBytes);
      checkCount('grade number', incident.gradeNumber, 1);
      const id = writeTransaction(db, () => {
        checkRequested(requireGradeState(db, incident.submissionId), incident.submissionId, incident.gradeNumber);
        return insertIncidents(db, incident.submissionId, incident.gradeNumber, [checked])[0]!;
      });
      return queryIncidents(db, 'WHERE i.id = ?', [id])[0]!;
    },

    listIncidents(query) {
      const limit = checkLimit(query.limit, 100);
      const where: string[] = [];
      const params: unknown[] = [];
      if (query.courseId !== undefined) { where.push('s.course_id = ?'); params.push(query.courseId); }
      if (query.submissionId !== undefined) { where.push('i.submission_id = ?'); params.push(query.submissionId); }
      if (query.state !== undefined) { where.push('i.triage_state = ?'); params.push(checkTriageState(query.state)); }
      if (query.beforeId !== undefined) { where.push('i.id < ?'); params.push(checkCount('incident id', query.beforeId, 1)); }
      return queryIncidents(db, `${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY i.id DESC LIMIT ?`, [...params, limit]);
    },

    getIncident(id) {
      if (!Number.isSafeInteger(id) || id < 1) return null;
      return queryIncidents(db, 'WHERE i.id = ?', [id])[0] ?? null;
    },

    setIncidentTriage(id, change) {
      const state = checkTriageState(change?.state);
      const note = change.note == null ? null : checkNote(change.note);
      const by = checkText('triaged by', change.by, 300);
      const changed = db.prepare('UPDATE incidents SET triage_state = ?, triage_note = ?, triaged_by = ?, triaged_at = ? WHERE id = ?')
        .run(state, note, by, now(), checkCount('incident id', id, 1));
      if (changed.changes === 0) throw new UserError('E_NOT_FOUND', `incident ${quote(id)} does not exist`);
      return queryIncidents(db, 'WHERE i.id = ?', [id])[0]!;
    },
  } satisfies Partial<StoreOperations>;
}
