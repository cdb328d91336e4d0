// Assignments in PostgreSQL: a name unique per course, pointing at a grader snapshot by its digest
// (and the folder it was taken from), with the due date and feedback release that decide what
// students see of their results.
import { UserError } from '../common/errors.js';
import { checkGraderSource, checkAssignmentState, histogramOf } from './assignment-checks.js';
import { checkAssignmentName, checkIsoTime, checkSha256, quote } from './input-checks.js';
import { toAssignment, type AssignmentRow } from './rows.js';
import { now, row, rows, writeTransaction, type Queryable } from './pg-connection.js';
import type { PgContext } from './pg-context.js';
import { requireCourse } from './pg-courses.js';
import { hasGraderSnapshot } from './pg-grader-snapshots.js';
import { resendWithheldScores } from './pg-lti-scores.js';
import type { Assignment, AssignmentCounts } from './store.js';
import type { StoreOperations } from './store-operations.js';

async function requireSnapshot(db: Queryable, graderDigest: string): Promise<void> {
  checkSha256('grader digest', graderDigest);
  if (!(await hasGraderSnapshot(db, graderDigest))) {
    throw new UserError('E_NO_GRADER_SNAPSHOT', `no snapshot of grader ${graderDigest} is stored; store it first (gradebox assignments add does)`);
  }
}

/** The assignment, or a UserError naming it. */
async function requireAssignment(db: Queryable, courseId: string, name: string): Promise<Assignment> {
  const assignment = await findAssignment(db, courseId, name);
  if (!assignment) throw new UserError('E_NOT_FOUND', `course ${quote(courseId)} has no assignment ${quote(name)}; add it first (gradebox assignments add)`);
  return assignment;
}

/** Each student's newest graded student submission per assignment, with its newest result. */
const NEWEST_GRADED = `WITH graded AS (
    SELECT s.assignment_id, s.student, s.created_at, r.verdict, r.score, r.max_score,
      ROW_NUMBER() OVER (PARTITION BY s.assignment_id, s.student ORDER BY s.created_at DESC, s.id COLLATE "C" DESC) AS n
    FROM submissions s JOIN results r ON r.submission_id = s.id AND r.outcome = 'graded'
      AND r.grade_number = (SELECT MAX(grade_number) FROM results x WHERE x.submission_id = s.id AND x.outcome = 'graded')
    WHERE s.purpose = 'student' AND s.course_id = $1),
  newest AS (SELECT * FROM graded WHERE n = 1)`;

async function countsOf(db: Queryable, courseId: string): Promise<AssignmentCounts[]> {
  const ids = (await rows<{ id: number }>(db, 'SELECT id FROM assignments WHERE course_id = $1 ORDER BY name COLLATE "C"', [courseId])).map((r) => Number(r.id));
  const totals = new Map((await rows<{ assignment_id: number; n: number; students: number }>(db, `SELECT assignment_id, COUNT(*) AS n, COUNT(DISTINCT student) AS students
    FROM submissions WHERE course_id = $1 AND purpose = 'student' GROUP BY assignment_id`, [courseId])).map((r) => [Number(r.assignment_id), r]));
  const statuses = await rows<{ assignment_id: number; status: string; n: number }>(db, `SELECT assignment_id, status, COUNT(*) AS n FROM submissions
    WHERE course_id = $1 AND purpose = 'student' GROUP BY assignment_id, status`, [courseId]);
  const verdicts = await rows<{ assignment_id: number; verdict: string; n: number }>(db, `${NEWEST_GRADED} SELECT assignment_id, verdict, COUNT(*) AS n FROM newest GROUP BY assignment_id, verdict`, [courseId]);
  const scores = await rows<{ assignment_id: number; score: number; max_score: number }>(db, `${NEWEST_GRADED} SELECT assignment_id, score, max_score FROM newest`, [courseId]);
  return ids.map((id): AssignmentCounts => ({
    assignmentId: id,
    submissions: Number(totals.get(id)?.n ?? 0),
    students: Number(totals.get(id)?.students ?? 0),
    byStatus: Object.fromEntries(statuses.filter((r) => Number(r.assignment_id) === id).map((r) => [r.status, Number(r.n)])),
    byVerdict: Object.fromEntries(verdicts.filter((r) => Number(r.assignment_id) === id).map((r) => [r.verdict, Number(r.n)])),
    scoreHistogram: histogramOf(scores.filter((r) => Number(r.assignment_id) === id).map((r) => ({ score: Number(r.score), max: Number(r.max_score) }))),
  }));
}

async function findAssignment(db: Queryable, courseId: string, name: string): Promise<Assignment | null> {
  const found = await row<AssignmentRow>(db, 'SELECT * FROM assignments WHERE course_id = $1 AND name = $2', [courseId, name]);
  return found ? toAssignment(found) : null;
}

export async function assignmentById(db: Queryable, id: number): Promise<Assignment | null> {
  const found = await row<AssignmentRow>(db, 'SELECT * FROM assignments WHERE id = $1', [id]);
  return found ? toAssignment(found) : null;
}

export function assignmentOperations({ pool }: PgContext) {
  return {
    /** Adds the assignment; the same name again updates its grader and keeps its id. Its grader's snapshot must be stored. */
    async addAssignment(courseId, name, graderDir, graderDigest) {
      await requireCourse(pool, courseId);
      checkAssignmentName(name);
      checkGraderSource(graderDir);
      await requireSnapshot(pool, graderDigest);
      const at = now();
      const added = await row<AssignmentRow>(pool, `INSERT INTO assignments (course_id, name, grader_dir, grader_digest, created_at, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (course_id, name) DO UPDATE SET grader_dir = excluded.grader_dir, grader_digest = excluded.grader_digest, updated_at = excluded.updated_at
        RETURNING *`, [courseId, name, graderDir, graderDigest, at, at]);
      return toAssignment(added!);
    },

    findAssignment: (courseId, name) => findAssignment(pool, courseId, name),

    async listAssignments(courseId) {
      await requireCourse(pool, courseId);
      return (await rows<AssignmentRow>(pool, 'SELECT * FROM assignments WHERE course_id = $1 ORDER BY name COLLATE "C"', [courseId])).map(toAssignment);
    },

    /** Applies the change; releasing again keeps the first release's time. */
    async setFeedbackSchedule(courseId, name, change) {
      checkAssignmentName(name);
      if (typeof change !== 'object' || change === null) throw new UserError('E_BAD_INPUT', 'give a change: a due date and/or a feedback release');
      const dueAt = change.dueAt === undefined || change.dueAt === null ? change.dueAt : checkIsoTime('due date', change.dueAt);
      if (change.released !== undefined && typeof change.released !== 'boolean') throw new UserError('E_BAD_INPUT', 'released must be true or false');
      return writeTransaction(pool, async (client) => {
        const before = await row<AssignmentRow>(client, 'SELECT * FROM assignments WHERE course_id = $1 AND name = $2 FOR UPDATE', [courseId, name]);
        if (!before) throw new UserError('E_NOT_FOUND', `course ${quote(courseId)} has no assignment ${quote(name)}; add it first (gradebox assignments add)`);
        const changed = (await row<AssignmentRow>(client, `UPDATE assignments SET
            due_at = CASE WHEN $1::boolean THEN $2::timestamptz ELSE due_at END,
            feedback_released_at = CASE $3::boolean WHEN true THEN COALESCE(feedback_released_at, $4) WHEN false THEN NULL ELSE feedback_released_at END,
            updated_at = $4
          WHERE id = $5
          RETURNING *`, [dueAt !== undefined, dueAt ?? null, change.released ?? null, now(), before.id]))!;
        // A release (not one already in force) sends again the scores that went out withheld, in this transaction.
        if (before.feedback_released_at === null && changed.feedback_released_at !== null) await resendWithheldScores(client, Number(changed.id));
        return toAssignment(changed);
      });
    },

    async addDraftAssignment(courseId, name, graderDir, graderDigest) {
      await requireCourse(pool, courseId);
      checkAssignmentName(name);
      checkGraderSource(graderDir);
      await requireSnapshot(pool, graderDigest);
      const at = now();
      const added = await row<AssignmentRow>(pool, `INSERT INTO assignments (course_id, name, grader_dir, grader_digest, state, created_at, updated_at)
        VALUES ($1, $2, $3, $4, 'draft', $5, $5) ON CONFLICT (course_id, name) DO NOTHING RETURNING *`, [courseId, name, graderDir, graderDigest, at]);
      if (!added) throw new UserError('E_ASSIGNMENT_EXISTS', `course ${courseId} has an assignment ${quote(name)} already; upload a new grader to it instead`);
      return toAssignment(added);
    },

    async setAssignmentState(courseId, name, state) {
      checkAssignmentState(state);
      await requireAssignment(pool, courseId, name);
      const changed = await row<AssignmentRow>(pool, 'UPDATE assignments SET state = $1, updated_at = $2 WHERE course_id = $3 AND name = $4 RETURNING *', [state, now(), courseId, name]);
      return toAssignment(changed!);
    },

    async countAssignmentSubmissions(courseId) {
      await requireCourse(pool, courseId);
      return countsOf(pool, courseId);
    },
  } satisfies Partial<StoreOperations>;
}
