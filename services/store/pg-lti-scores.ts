// Score deliveries (LTI grade passback) in PostgreSQL (the twin of sqlite-lti-scores.ts): written in
// the transaction of the submission event they report, claimed with a lease (FOR UPDATE SKIP LOCKED),
// each attempt's outcome kept.
import { checkCount, checkIsoTime, checkLimit } from './input-checks.js';
import { scoreKind } from './lti-checks.js';
import { toDelivery, type DeliveryRow } from './lti-rows.js';
import { now, row, rows, writeTransaction, type Queryable } from './pg-connection.js';
import type { PgContext } from './pg-context.js';
import type { EventType } from './store.js';
import type { StoreOperations } from './store-operations.js';


/** Called inside the transaction that appends a submission's event (see sqlite-lti-scores.ts). */
export async function addLtiScoreDelivery(client: Queryable, submissionId: string, type: EventType, data: Record<string, unknown>): Promise<void> {
  const kind = scoreKind(type, data);
  if (kind === null) return;
  const at = now();
  await client.query(`INSERT INTO lti_score_deliveries (course_id, assignment_id, student, submission_id, grade_number, kind, platform_id, resource_link_id,
      score_timestamp, state, attempts, next_attempt_at, created_at, updated_at)
    SELECT s.course_id, s.assignment_id, s.student, s.id, $1::integer, $2::text, l.platform_id, l.resource_link_id, $3::timestamptz, 'pending', 0, $3::timestamptz, $3::timestamptz, $3::timestamptz
    FROM submissions s JOIN lti_learners l ON l.course_id = s.course_id AND l.assignment_id = s.assignment_id AND l.student = s.student
    WHERE s.id = $4`, [Number(data.gradeNumber), kind, at, submissionId]);
}

/** A new pending delivery, timestamped $1, of each delivery `d` the WHERE clause picks. */
const RESEND = `INSERT INTO lti_score_deliveries (course_id, assignment_id, student, submission_id, grade_number, kind, platform_id, resource_link_id,
      score_timestamp, state, attempts, next_attempt_at, created_at, updated_at)
    SELECT d.course_id, d.assignment_id, d.student, d.submission_id, d.grade_number, d.kind, d.platform_id, d.resource_link_id, $1::timestamptz, 'pending', 0, $1::timestamptz, $1::timestamptz, $1::timestamptz
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
export async function resendWithheldScores(client: Queryable, assignmentId: number): Promise<void> {
  await client.query(`${RESEND} WHERE d.assignment_id = $2 AND ${NEWEST_WITHHELD}`, [now(), assignmentId]);
}

export function ltiScoreOperations({ pool }: PgContext) {
  return {
    claimLtiScoreDeliveries(at, limit, leaseMs) {
      checkCount('limit', limit, 1);
      const until = new Date(Date.parse(at) + leaseMs).toISOString();
      return writeTransaction(pool, async (client) => (await rows<DeliveryRow>(client, `UPDATE lti_score_deliveries SET lease_until = $1 WHERE id IN (
          SELECT id FROM lti_score_deliveries WHERE state = 'pending' AND next_attempt_at <= $2 AND (lease_until IS NULL OR lease_until < $2)
          ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
        RETURNING *`, [until, at, limit])).sort((a, b) => a.next_attempt_at.localeCompare(b.next_attempt_at) || a.id - b.id).map(toDelivery));
    },

    async recordLtiScoreAttempt(id, record) {
      await writeTransaction(pool, async (client) => {
        await client.query(`UPDATE lti_score_deliveries SET state = $1, attempts = attempts + 1, last_status = $2, last_error = $3,
            next_attempt_at = COALESCE($4, next_attempt_at), lease_until = NULL, withheld_sent = $5, updated_at = $6 WHERE id = $7`,
        [record.state, record.status, record.error, record.nextAttemptAt ?? null, record.withheldAsOf ? 1 : 0, now(), id]);
        if (!record.withheldAsOf) return;
        // A release, or a due date, between the judging and this record found nothing to send again:
        // this score is sent again now.
        const releasedSince = await row<{ id: number }>(client, `SELECT a.id FROM lti_score_deliveries d JOIN assignments a ON a.id = d.assignment_id
          WHERE d.id = $1 AND (a.feedback_released_at > $2::timestamptz OR (a.due_at > $2::timestamptz AND a.due_at <= $3::timestamptz))`,
        [id, record.withheldAsOf, now()]);
        if (releasedSince) await resendWithheldScores(client, Number(releasedSince.id));
      });
    },

    async resendLtiScoresPastDue(at) {
      // Withheld before the due date only: a score judged withheld after it stays so for another
      // reason (tests shown only once published), and is not sent again each round. Replicas
      // sweeping at once take turns (the lock ends with the transaction), so none writes twice.
      return writeTransaction(pool, async (client) => {
        await client.query("SELECT pg_advisory_xact_lock(hashtext('gradebox: lti scores past due'))");
        const done = await client.query(`${RESEND} JOIN assignments a ON a.id = d.assignment_id
          WHERE a.due_at <= $1::timestamptz AND d.updated_at < a.due_at AND ${NEWEST_WITHHELD}`, [checkIsoTime('now', at)]);
        return done.rowCount ?? 0;
      });
    },

    async ltiScoreSuperseded(d) {
      return (await row(pool, `SELECT 1 FROM lti_score_deliveries WHERE course_id = $1 AND assignment_id = $2 AND student = $3 AND state = 'delivered'
        AND (score_timestamp > $4 OR (score_timestamp = $4 AND id > $5)) LIMIT 1`, [d.courseId, d.assignmentId, d.student, d.timestamp, d.id])) !== undefined;
    },

    async listLtiScoreDeliveries(courseId, limit) {
      return (await rows<DeliveryRow>(pool, 'SELECT * FROM lti_score_deliveries WHERE course_id = $1 ORDER BY id DESC LIMIT $2',
        [courseId, checkLimit(limit, 1000)])).map(toDelivery);
    },
  } satisfies Partial<StoreOperations>;
}
