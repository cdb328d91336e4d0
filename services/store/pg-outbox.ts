// The outbox in PostgreSQL: grading requests written with the state that causes them, handed to the
// queue later. Relays of several API processes claim rows with FOR UPDATE SKIP LOCKED and a lease,
// so each request is handed over by one of them; a dead relay's claims expire.
import { checkCount, checkRequestId } from './input-checks.js';
import { toOutboxRow, type OutboxJoinRow } from './rows.js';
import { now, relaxedWrite, rows, type Queryable } from './pg-connection.js';
import type { PgContext } from './pg-context.js';
import type { GradeKind } from './store.js';
import type { StoreOperations } from './store-operations.js';

/** Called inside the transaction that requests the grading; `requestId` is the API request's that asks for it. */
export async function addOutboxRow(db: Queryable, submissionId: string, kind: GradeKind, gradeNumber: number, requestId?: string): Promise<void> {
  await db.query('INSERT INTO outbox (submission_id, kind, grade_number, created_at, request_id) VALUES ($1, $2, $3, $4, $5)',
    [submissionId, kind, gradeNumber, now(), checkRequestId(requestId)]);
}

function checkIds(ids: number[]): void {
  if (!Array.isArray(ids)) checkCount('outbox id', ids, 1);
  for (const id of ids) checkCount('outbox id', id, 1);
}

export function outboxOperations({ pool }: PgContext) {
  return {
    async pendingOutbox(limit) {
      checkCount('outbox limit', limit, 1);
      return (await rows<OutboxJoinRow>(pool, `SELECT o.id, o.submission_id, o.kind, o.grade_number, o.created_at, o.request_id, s.course_id, s.entry, a.grader_digest FROM outbox o
        JOIN submissions s ON s.id = o.submission_id JOIN assignments a ON a.id = s.assignment_id
        ORDER BY o.id LIMIT $1`, [limit])).map(toOutboxRow);
    },

    /**
     * SKIP LOCKED: a row another relay is claiming at this moment is passed over, not waited for.
     * Not synced on its own: a claim lost in a crash only lets a request be sent again.
     */
    async claimOutbox(limit, leaseMs) {
      checkCount('outbox limit', limit, 1);
      checkCount('outbox lease', leaseMs, 1);
      const at = now();
      const until = new Date(Date.parse(at) + leaseMs).toISOString();
      const claimed = await relaxedWrite(pool, (client) => rows<OutboxJoinRow>(client, `WITH claimed AS (
          UPDATE outbox SET claimed_until = $1 WHERE id IN (
            SELECT id FROM outbox WHERE claimed_until IS NULL OR claimed_until < $2 ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED)
          RETURNING id, submission_id, kind, grade_number, created_at, request_id)
        SELECT o.*, s.course_id, s.entry, a.grader_digest FROM claimed o
          JOIN submissions s ON s.id = o.submission_id JOIN assignments a ON a.id = s.assignment_id
        ORDER BY o.id`, [until, at, limit]));
      return claimed.map(toOutboxRow);
    },

    async releaseOutbox(ids) {
      checkIds(ids);
      await relaxedWrite(pool, (client) => client.query('UPDATE outbox SET claimed_until = NULL WHERE id = ANY($1::bigint[])', [ids]));
    },

    /** Deletes the row; an id already gone (another relay was faster) is fine. Not synced on its own, as a claim. */
    async markOutboxDispatched(id) {
      checkCount('outbox id', id, 1);
      await relaxedWrite(pool, (client) => client.query('DELETE FROM outbox WHERE id = $1', [id]));
    },
  } satisfies Partial<StoreOperations>;
}
