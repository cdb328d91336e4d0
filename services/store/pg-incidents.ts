// Security incidents (a syscall outside the policy) of gradings, with the blob of their evidence, in PostgreSQL.
import { UserError } from '../common/errors.js';
import { checkIncident, checkNote, checkTriageState, type CheckedIncident } from './incident-checks.js';
import { checkCount, checkLimit, checkText, quote } from './input-checks.js';
import { toIncident, type IncidentRow } from './rows.js';
import { now, rows, writeTransaction, type PgClient, type Queryable } from './pg-connection.js';
import type { PgContext } from './pg-context.js';
import { checkRequested, requireGradeState } from './pg-grade-state.js';
import { addWebhookMessage } from './pg-webhook-messages.js';
import type { Incident } from './store.js';
import type { StoreOperations } from './store-operations.js';

/** Inserts checked incidents (each with its webhook message) inside the caller's transaction. */
export async function insertIncidents(client: PgClient, submissionId: string, gradeNumber: number, incidents: CheckedIncident[]): Promise<number[]> {
  const at = now();
  const ids: number[] = [];
  for (const i of incidents) {
    const inserted = await rows<{ id: number }>(client, `INSERT INTO incidents (submission_id, grade_number, syscall, evidence_sha256, evidence_path, record_json, created_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, [submissionId, gradeNumber, i.syscall, i.evidenceSha256, i.evidencePath, i.recordJson, at]);
    ids.push(inserted[0]!.id);
    await addWebhookMessage(client, 'incident.opened', { submissionId, gradeNumber, incidentId: inserted[0]!.id });
  }
  return ids;
}

async function queryIncidents(db: Queryable, tail: string, params: unknown[]): Promise<Incident[]> {
  return (await rows<IncidentRow>(db, `SELECT i.*, s.course_id FROM incidents i JOIN submissions s ON s.id = i.submission_id ${tail}`, params)).map(toIncident);
}

export function incidentOperations({ pool, options }: PgContext) {
  return {
    async addIncident(incident) {
      const checked = checkIncident(incident, options.maxJsonBytes);
      checkCount('grade number', incident.gradeNumber, 1);
      const id = await writeTransaction(pool, async (client) => {
        checkRequested(await requireGradeState(client, incident.submissionId, true), incident.submissionId, incident.gradeNumber);
        return (await insertIncidents(client, incident.submissionId, incident.gradeNumber, [checked]))[0]!;
      });
      return (await queryIncidents(pool, 'WHERE i.id = $1', [id]))[0]!;
    },

    listIncidents(query) {
      const limit = checkLimit(query.limit, 100);
      const where: string[] = [];
      const params: unknown[] = [];
      if (query.courseId !== undefined) { params.push(query.courseId); where.push(`s.course_id = $${params.length}`); }
      if (query.submissionId !== undefined) { params.push(query.submissionId); where.push(`i.submission_id = $${params.length}`); }
      if (query.state !== undefined) { params.push(checkTriageState(query.state)); where.push(`i.triage_state = $${params.length}`); }
      if (query.beforeId !== undefined) { params.push(checkCount('incident id', query.beforeId, 1)); where.push(`i.id < $${params.length}`); }
      params.push(limit);
      return queryIncidents(pool, `${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY i.id DESC LIMIT $${params.length}`, params);
    },

    async getIncident(id) {
      if (!Number.isSafeInteger(id) || id < 1) return null;
      return (await queryIncidents(pool, 'WHERE i.id = $1', [id]))[0] ?? null;
    },

    async setIncidentTriage(id, change) {
      const state = checkTriageState(change?.state);
      const note = change.note == null ? null : checkNote(change.note);
      const by = checkText('triaged by', change.by, 300);
      const changed = await pool.query('UPDATE incidents SET triage_state = $1, triage_note = $2, triaged_by = $3, triaged_at = $4 WHERE id = $5',
        [state, note, by, now(), checkCount('incident id', id, 1)]);
      if (changed.rowCount === 0) throw new UserError('E_NOT_FOUND', `incident ${quote(id)} does not exist`);
      return (await queryIncidents(pool, 'WHERE i.id = $1', [id]))[0]!;
    },
  } satisfies Partial<StoreOperations>;
}
