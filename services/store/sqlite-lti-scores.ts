// Score deliveries (LTI grade passback) in SQLite: written in the transaction of the submission
// event they report (nothing lost in a crash), claimed by a passback worker with a lease, each
// attempt's outcome kept for the instructor to see.
import { checkCount, checkIsoTime, checkLimit } from './input-checks.js';
import { scoreKind } from './lti-checks.js';
import { toDelivery, type DeliveryRow } from './lti-rows.js';
import { now, writeTransaction, type SqliteDatabase } from './sqlite-connection.js';
import type { SqliteContext } from './sqlite-context.js';
import type { EventType } from './store.js';
import type { StoreOperations } from './store-operations.js';


/**
 * Called inside the transaction that appends a submission's event: when its student is a learner
 * known to LTI for its assignment, the score the event means is written for delivery, its
 * timestamp fixed now (the same on every retry; a regrade's later).
 */
export function addLtiScoreDelivery(db: SqliteDatabase, submissionId: string, type: EventType, data: Record<string, unknown>): void {
  const kind = scoreKind(type, data);
  if (kind === null) return;
  const at = now();
  db.prepare(`INSERT INTO lti_score_deliveries (course_id, assignment_id, student, submission_id, grade_number, kind, platform_id, resource_link_id,
      score_timestamp, state, attempts, next_attempt_at, created_at, updated_at)
    SELECT s.course_id, s.assignment_id, s.student, s.id, ?, ?, l.platform_id, l.resource_link_id, ?, 'pending', 0, ?, ?, ?
    FROM submissions s JOIN lti_learners l ON l.course_id = s.course_id AND l.assignment_id = s.assignment_id AND l.student = s.student
    WHERE s.id = ?`).run(Number(data.gradeNumber), kind, at, at, at, at, submissionId);
}

/** A new pending delivery, timestamped @at, of each delivery `d` the WHERE clause picks. */
const RESEND = `INSERT INTO lti_score_deliveries (course_id, assignment_id, student, submission_id, grade_number, kind, platform_id, resource_link_id,
      score_timestamp, state, attempts, next_attempt_at, created_at, updated_at)
    SELECT d.course_id, d.assignment_id, d.student, d.submission_id, d.grade_number, d.kind, d.platform_id, d.resource_link_id, @at, 'pending', 0, @at, @at, @at
    FROM lti_score_deliveries d`;
/** `d` went out withheld and is its learner's newest delivery for the assignment. */
const NEWEST_WITHHELD = `d.state = 'delivered' AND d.withheld_sent = 1
      AND NOT EXISTS (SELECT 1 FROM lti_score_deliveries n WHERE n.course_id = d.course_id AND n.assignment_id = d.assignment_id AND n.student = d.student
        AND (n.score_timestamp > d.score_timestamp OR (n.score_timestamp = d.score_timestamp AND n.id > d.id)))`;

/**
 * Called inside the transaction that releases an assignment's feedback: each learner whose newest
 * score went out as PendingManual (withheld) gets it again, a new delivery of the same grading
 * with a later timestamp, which the worker sends as FullyGraded now that students see it.
 */
export function resendWithheldScores(db: SqliteDatabase, assignmentId: number): void {
  const at = now();
  db.prepare(`${RESEND} WHERE d.assignment_id = @assignmentId AND ${NEWEST_WITHHELD}`).run({ at, assignmentId });
}

export function ltiScoreOperations({ db }: SqliteContext) {
  return {
    claimLtiScoreDeliveries(at, limit, leaseMs) {
      checkCount('limit', limit, 1);
      return writeTransaction(db, () => {
        const rows = db.prepare(`SELECT * FROM lti_score_deliveries WHERE state = 'pending' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?)
          ORDER BY next_attempt_at, id LIMIT ?`).all(at, at, limit) as DeliveryRow[];
        const until = new Date(Date.parse(at) + leaseMs).toISOString();
        for (const row of rows) db.prepare('UPDATE lti_score_deliveries SET lease_until = ? WHERE id = ?').run(until, row.id);
        return rows.map(toDelivery);
      });
    },

    recordLtiScoreAttempt(id, record) {
      const at = now();
      writeTransaction(db, () => {
        db.prepare(`UPDATE lti_score_deliveries SET state = ?, attempts = attempts + 1, last_status = ?, last_error = ?,
            next_attempt_at = COALESCE(?, next_attempt_at), lease_until = NULL, withheld_sent = ?, updated_at = ? WHERE id = ?`)
          .run(record.state, record.status, record.error, record.nextAttemptAt ?? null, record.withheldAsOf ? 1 : 0, at, id);
        if (!record.withheldAsOf) return;
        // A release, or a due date, between the judging and this record found nothing to send again:
        // this score is sent again now.
        const releasedSince = db.prepare(`SELECT a.id FROM lti_score_deliveries d JOIN assignments a ON a.id = d.assignment_id
          WHERE d.id = ? AND (a.feedback_released_at > @judged OR (a.due_at > @judged AND a.due_at <= @at))`)
          .pluck().get(id, { judged: record.withheldAsOf, at }) as number | undefined;
        if (releasedSince !== undefined) resendWithheldScores(db, releasedSince);
      });
    },

    resendLtiScoresPastDue(at) {
      // Withheld before the due date only: a score judged withheld after it stays so for another
      // reason (tests shown only once published), and is not sent again each round.
      return writeTransaction(db, () => db.prepare(`${RESEND} JOIN assignments a ON a.id = d.assignment_id
        WHERE a.due_at <= @at AND d.updated_at < a.due_at AND ${NEWEST_WITHHELD}`).run({ at: checkIsoTime('now', at) }).changes);
    },

    ltiScoreSuperseded(d) {
      return db.prepare(`SELECT 1 FROM lti_score_deliveries WHERE course_id = ? AND assignment_id = ? AND student = ? AND state = 'delivered'
        AND (score_timestamp > ? OR (score_timestamp = ? AND id > ?)) LIMIT 1`).get(d.courseId, d.assignmentId, d.student, d.timestamp, d.timestamp, d.id) !== undefined;
    },

    listLtiScoreDeliveries(courseId, limit) {
      return (db.prepare('SELECT * FROM lti_score_deliveries WHERE course_id = ? ORDER BY id DESC LIMIT ?')
        .all(courseId, checkLimit(limit, 1000)) as DeliveryRow[]).map(toDelivery);
    },
  } satisfies Partial<StoreOperations>;
}
