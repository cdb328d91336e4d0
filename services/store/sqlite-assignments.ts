// Assignments in SQLite: a name unique per course, pointing at a grader snapshot by its digest
// (and the folder it was taken from), with the due date and feedback release that decide what
// students see of their results.
import { UserError } from '../common/errors.js';
import { checkAssignmentState, checkGraderSource, histogramOf } from './assignment-checks.js';
import { checkAssignmentName, checkIsoTime, checkSha256, quote } from './input-checks.js';
import { toAssignment, type AssignmentRow } from './rows.js';
import { now, writeTransaction, type SqliteDatabase } from './sqlite-connection.js';
import type { SqliteContext } from './sqlite-context.js';
import { requireCourse } from './sqlite-courses.js';
import { hasGraderSnapshot } from './sqlite-grader-snapshots.js';
import { resendWithheldScores } from './sqlite-lti-scores.js';
import type { Assignment, AssignmentCounts } from './store.js';
import type { StoreOperations } from './store-operations.js';

function requireSnapshot(db: SqliteDatabase, graderDigest: string): void {
  checkSha256('grader digest', graderDigest);
  if (!hasGraderSnapshot(db, graderDigest)) {
    throw new UserError('E_NO_GRADER_SNAPSHOT', `no snapshot of grader ${graderDigest} is stored; store it first (gradebox assignments add does)`);
  }
}

/** The assignment, or a UserError naming it. */
export function requireAssignment(db: SqliteDatabase, courseId: string, name: string): Assignment {
  const assignment = findAssignment(db, courseId, name);
  if (!assignment) throw new UserError('E_NOT_FOUND', `course ${quote(courseId)} has no assignment ${quote(name)}; add it first (gradebox assignments add)`);
  return assignment;
}

/** Each student's newest graded student submission per assignment, with its newest result. */
const NEWEST_GRADED = `WITH graded AS (
    SELECT s.assignment_id, s.student, s.created_at, r.verdict, r.score, r.max_score,
      ROW_NUMBER() OVER (PARTITION BY s.assignment_id, s.student ORDER BY s.created_at DESC, s.id DESC) AS n
    FROM submissions s JOIN results r ON r.submission_id = s.id AND r.outcome = 'graded'
      AND r.grade_number = (SELECT MAX(grade_number) FROM results x WHERE x.submission_id = s.id AND x.outcome = 'graded')
    WHERE s.purpose = 'student' AND s.course_id = @course),
  newest AS (SELECT * FROM graded WHERE n = 1)`;

/** Ten bins of score / max score (assignment-checks.ts). */
function histogramFor(db: SqliteDatabase, courseId: string, assignmentId: number): number[] {
  const rows = db.prepare(`${NEWEST_GRADED} SELECT score, max_score FROM newest WHERE assignment_id = @assignment`)
    .all({ course: courseId, assignment: assignmentId }) as Array<{ score: number; max_score: number }>;
  return histogramOf(rows.map((r) => ({ score: r.score, max: r.max_score })));
}

function findAssignment(db: SqliteDatabase, courseId: string, name: string): Assignment | null {
  const row = db.prepare('SELECT * FROM assignments WHERE course_id = ? AND name = ?').get(courseId, name) as AssignmentRow | undefined;
  return row ? toAssignment(row) : null;
}

export function assignmentById(db: SqliteDatabase, id: number): Assignment | null {
  const row = db.prepare('SELECT * FROM assignments WHERE id = ?').get(id) as AssignmentRow | undefined;
  return row ? toAssignment(row) : null;
}

export function assignmentOperations({ db }: SqliteContext) {
  return {
    /** Adds the assignment; the same name again updates its grader and keeps its id. Its grader's snapshot must be stored. */
    addAssignment(courseId, name, graderDir, graderDigest) {
      requireCourse(db, courseId);
      checkAssignmentName(name);
      checkGraderSource(graderDir);
      requireSnapshot(db, graderDigest);
      const at = now();
      db.prepare(`INSERT INTO assignments (course_id, name, grader_dir, grader_digest, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (course_id, name) DO UPDATE SET grader_dir = excluded.grader_dir, grader_digest = excluded.grader_digest, updated_at = excluded.updated_at`)
        .run(courseId, name, graderDir, graderDigest, at, at);
      return findAssignment(db, courseId, name)!;
    },

    findAssignment: (courseId, name) => findAssignment(db, courseId, name),

    listAssignments(courseId) {
      requireCourse(db, courseId);
      return (db.prepare('SELECT * FROM assignments WHERE course_id = ? ORDER BY name').all(courseId) as AssignmentRow[]).map(toAssignment);
    },

    /** Applies the change; releasing again keeps the first release's time. */
    setFeedbackSchedule(courseId, name, change) {
      checkAssignmentName(name);
      if (typeof change !== 'object' || change === null) throw new UserError('E_BAD_INPUT', 'give a change: a due date and/or a feedback release');
      const dueAt = change.dueAt === undefined || change.dueAt === null ? change.dueAt : checkIsoTime('due date', change.dueAt);
      if (change.released !== undefined && typeof change.released !== 'boolean') throw new UserError('E_BAD_INPUT', 'released must be true or false');
      const at = now();
      return writeTransaction(db, () => {
        const before = findAssignment(db, courseId, name);
        if (!before) throw new UserError('E_NOT_FOUND', `course ${quote(courseId)} has no assignment ${quote(name)}; add it first (gradebox assignments add)`);
        db.prepare(`UPDATE assignments SET
            due_at = CASE WHEN @setDue THEN @dueAt ELSE due_at END,
            feedback_released_at = CASE @released WHEN 1 THEN COALESCE(feedback_released_at, @at) WHEN 0 THEN NULL ELSE feedback_released_at END,
            updated_at = @at
          WHERE id = @id`)
          .run({ setDue: dueAt === undefined ? 0 : 1, dueAt: dueAt ?? null, released: change.released === undefined ? null : Number(change.released), at, id: before.id });
        const after = findAssignment(db, courseId, name)!;
        // A release (not one already in force) sends again the scores that went out withheld, in this transaction.
        if (before.feedbackReleasedAt === null && after.feedbackReleasedAt !== null) resendWithheldScores(db, after.id);
        return after;
      });
    },

    addDraftAssignment(courseId, name, graderDir, graderDigest) {
      requireCourse(db, courseId);
      checkAssignmentName(name);
      checkGraderSource(graderDir);
      requireSnapshot(db, graderDigest);
      return writeTransaction(db, () => {
        if (findAssignment(db, courseId, name)) throw new UserError('E_ASSIGNMENT_EXISTS', `course ${courseId} has an assignment ${quote(name)} already; upload a new grader to it instead`);
        const at = now();
        db.prepare(`INSERT INTO assignments (course_id, name, grader_dir, grader_digest, state, created_at, updated_at) VALUES (?, ?, ?, ?, 'draft', ?, ?)`)
          .run(courseId, name, graderDir, graderDigest, at, at);
        return findAssignment(db, courseId, name)!;
      });
    },

    setAssignmentState(courseId, name, state) {
      checkAssignmentState(state);
      requireAssignment(db, courseId, name);
      db.prepare('UPDATE assignments SET state = ?, updated_at = ? WHERE course_id = ? AND name = ?').run(state, now(), courseId, name);
      return findAssignment(db, courseId, name)!;
    },

    countAssignmentSubmissions(courseId) {
      requireCourse(db, courseId);
      const ids = db.prepare('SELECT id FROM assignments WHERE course_id = ? ORDER BY name').pluck().all(courseId) as number[];
      const totals = new Map((db.prepare(`SELECT assignment_id, COUNT(*) AS n, COUNT(DISTINCT student) AS students FROM submissions
        WHERE course_id = ? AND purpose = 'student' GROUP BY assignment_id`).all(courseId) as Array<{ assignment_id: number; n: number; students: number }>)
        .map((r) => [r.assignment_id, r]));
      const statuses = db.prepare(`SELECT assignment_id, status, COUNT(*) AS n FROM submissions WHERE course_id = ? AND purpose = 'student' GROUP BY assignment_id, status`)
        .all(courseId) as Array<{ assignment_id: number; status: string; n: number }>;
      const verdicts = db.prepare(`${NEWEST_GRADED} SELECT assignment_id, verdict, COUNT(*) AS n FROM newest GROUP BY assignment_id, verdict`)
        .all({ course: courseId }) as Array<{ assignment_id: number; verdict: string; n: number }>;
      return ids.map((id): AssignmentCounts => ({
        assignmentId: id,
        submissions: totals.get(id)?.n ?? 0,
        students: totals.get(id)?.students ?? 0,
        byStatus: Object.fromEntries(statuses.filter((r) => r.assignment_id === id).map((r) => [r.status, r.n])),
        byVerdict: Object.fromEntries(verdicts.filter((r) => r.assignment_id === id).map((r) => [r.verdict, r.n])),
        scoreHistogram: histogramFor(db, courseId, id),
      }));
    },
  } satisfies Partial<StoreOperations>;
}
