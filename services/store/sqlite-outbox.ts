// The outbox: grading requests written with the state that causes them, handed to the queue later,
// so an outage of Redis delays a submission but never loses it. A relay claims rows for a while
// (a lease), so several API processes on one database each hand a request over once.
import { checkCount, checkRequestId } from './input-checks.js';
import { toOutboxRow, type OutboxJoinRow } from './rows.js';
import { now, relaxedWrite, writeTransaction, type SqliteDatabase } from './sqlite-connection.js';
import type { SqliteContext } from './sqlite-context.js';
import type { GradeKind } from './store.js';
import type { StoreOperations } from './store-operations.js';

/** Outbox rows with what the job needs of their submission and assignment. */
const SELECT = `SELECT o.id, o.submission_id, o.kind, o.grade_number, o.created_at, o.request_id, s.course_id, s.entry, a.grader_digest FROM outbox o
  JOIN submissions s ON s.id = o.submission_id JOIN assignments a ON a.id = s.assignment_id`;

/** Called inside the transaction that requests the grading; `requestId` is the API request's that asks for it. */
export function addOutboxRow(db: SqliteDatabase, submissionId: string, kind: GradeKind, gradeNumber: number, requestId?: string): void {
  db.prepare('INSERT INTO outbox (submission_id, kind, grade_number, created_at, request_id) VALUES (?, ?, ?, ?, ?)')
    .run(submissionId, kind, gradeNumber, now(), checkRequestId(requestId));
}

function checkIds(ids: number[]): void {
  if (!Array.isArray(ids)) checkCount('outbox id', ids, 1);
  for (const id of ids) checkCount('outbox id', id, 1);
}

export function outboxOperations({ db }: SqliteContext) {
  return {
    pendingOutbox(limit) {
      checkCount('outbox limit', limit, 1);
      return (db.prepare(`${SELECT} ORDER BY o.id LIMIT ?`).all(limit) as OutboxJoinRow[]).map(toOutboxRow);
    },

    /** Not synced on its own: a claim lost in a power cut only lets a request be sent again (a no-op for the queue). */
    claimOutbox(limit, leaseMs) {
      checkCount('outbox limit', limit, 1);
      checkCount('outbox lease', leaseMs, 1);
      const at = now();
      const until = new Date(Date.parse(at) + leaseMs).toISOString();
      return relaxedWrite(db, () => writeTransaction(db, () => {
        const rows = db.prepare(`${SELECT} WHERE o.claimed_until IS NULL OR o.claimed_until < ? ORDER BY o.id LIMIT ?`).all(at, limit) as OutboxJoinRow[];
        const claim = db.prepare('UPDATE outbox SET claimed_until = ? WHERE id = ?');
        for (const r of rows) claim.run(until, r.id);
        return rows.map(toOutboxRow);
      }));
    },

    releaseOutbox(ids) {
      checkIds(ids);
      const release = db.prepare('UPDATE outbox SET claimed_until = NULL WHERE id = ?');
      relaxedWrite(db, () => writeTransaction(db, () => { for (const id of ids) release.run(id); }));
    },

    /**
     * Deletes the row; an id already gone (another relay was faster) is fine. Not synced on its
     * own: lost in a power cut, the row is sent again, and the queue ignores a job it has.
     */
    markOutboxDispatched(id) {
      checkCount('outbox id', id, 1);
      relaxedWrite(db, () => db.prepare('DELETE FROM outbox WHERE id = ?').run(id));
    },
  } satisfies Partial<StoreOperations>;
}
