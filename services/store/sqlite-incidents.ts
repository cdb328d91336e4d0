// Security incidents (a syscall outside the policy) of gradings, with the blob of their evidence.
import { checkIncident, type CheckedIncident } from './incident-checks.js';
import { checkCount, checkLimit } from './input-checks.js';
import { now, writeTransaction, type SqliteDatabase } from './sqlite-connection.js';
import type { SqliteContext } from './sqlite-context.js';
import { checkRequested, requireGradeState } from './sqlite-grade-state.js';
import { addWebhookMessage } from './sqlite-webhook-messages.js';
import type { Incident } from './store.js';
import type { StoreOperations } from './store-operations.js';

interface IncidentRow {
  id: number;
  submission_id: string;
  grade_number: number;
  course_id: string;
  syscall: string;
  evidence_sha256: string | null;
  evidence_path: string | null;
  record_json: string;
  created_at: string;
}

const toIncident = (row: IncidentRow): Incident => ({
  id: row.id, submissionId: row.submission_id, gradeNumber: row.grade_number, courseId: row.course_id, syscall: row.syscall,
  evidenceSha256: row.evidence_sha256, evidencePath: row.evidence_path, record: JSON.parse(row.record_json) as Record<string, unknown>,
  createdAt: row.created_at,
});

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
      return queryIncidents(db, `${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY i.id DESC LIMIT ?`, [...params, limit]);
    },
  } satisfies Partial<StoreOperations>;
}
