// The outbox: grading requests written with the state that causes them, handed to the queue later,
// so an outage of Redis delays a submission but never loses it.
import { checkCount } from './input-checks.js';
import { now, relaxedWrite, type SqliteDatabase } from './sqlite-connection.js';
import type { SqliteContext } from './sqlite-context.js';
import type { GradeKind, OutboxRow } from './store.js';
import type { StoreOperations } from './store-operations.js';

interface Row {
  id: number;
  submission_id: string;
  kind: GradeKind;
  grade_number: number;
  created_at: string;
  course_id: string;
  grader_digest: string;
  entry: string | null;
}

/** Called inside the transaction that requests the grading. */
export function addOutboxRow(db: SqliteDatabase, submissionId: string, kind: GradeKind, gradeNumber: number): void {
  db.prepare('INSERT INTO outbox (submission_id, kind, grade_number, created_at) VALUES (?, ?, ?, ?)').run(submissionId, kind, gradeNumber, now());
}

export function outboxOperations({ db }: SqliteContext) {
  return {
    pendingOutbox(limit) {
      checkCount('outbox limit', limit, 1);
      const rows = db.prepare(`SELECT o.*, s.course_id, s.entry, a.grader_digest FROM outbox o
        JOIN submissions s ON s.id = o.submission_id JOIN assignments a ON a.id = s.assignment_id
        ORDER BY o.id LIMIT ?`).all(limit) as Row[];
      return rows.map((r): OutboxRow => ({
        id: r.id, submissionId: r.submission_id, kind: r.kind, gradeNumber: r.grade_number, createdAt: r.created_at,
        courseId: r.course_id, graderDigest: r.grader_digest, entry: r.entry,
      }));
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
