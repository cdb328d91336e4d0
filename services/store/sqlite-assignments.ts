// Assignments in SQLite: a name unique per course, pointing at a grader snapshot by its digest
// (and the folder it was taken from), with the due date and feedback release that decide what
// students see of their results.
import { UserError } from '../common/errors.js';
import { checkAbsolutePath, checkAssignmentName, checkIsoTime, checkSha256, quote } from './input-checks.js';
import { now, type SqliteDatabase } from './sqlite-connection.js';
import type { SqliteContext } from './sqlite-context.js';
import { requireCourse } from './sqlite-courses.js';
import { hasGraderSnapshot } from './sqlite-grader-snapshots.js';
import type { Assignment } from './store.js';
import type { StoreOperations } from './store-operations.js';

interface AssignmentRow {
  id: number;
  course_id: string;
  name: string;
  grader_dir: string;
  grader_digest: string;
  due_at: string | null;
  feedback_released_at: string | null;
  created_at: string;
  updated_at: string;
}

const toAssignment = (row: AssignmentRow): Assignment => ({
  id: row.id, courseId: row.course_id, name: row.name, graderDir: row.grader_dir, graderDigest: row.grader_digest,
  dueAt: row.due_at, feedbackReleasedAt: row.feedback_released_at, createdAt: row.created_at, updatedAt: row.updated_at,
});

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
      checkAbsolutePath('grader folder', graderDir);
      checkSha256('grader digest', graderDigest);
      if (!hasGraderSnapshot(db, graderDigest)) {
        throw new UserError('E_NO_GRADER_SNAPSHOT', `no snapshot of grader ${graderDigest} is stored; store it first (gradebox assignments add does)`);
      }
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
      const changed = db.prepare(`UPDATE assignments SET
          due_at = CASE WHEN @setDue THEN @dueAt ELSE due_at END,
          feedback_released_at = CASE @released WHEN 1 THEN COALESCE(feedback_released_at, @at) WHEN 0 THEN NULL ELSE feedback_released_at END,
          updated_at = @at
        WHERE course_id = @courseId AND name = @name`)
        .run({ setDue: dueAt === undefined ? 0 : 1, dueAt: dueAt ?? null, released: change.released === undefined ? null : Number(change.released), at, courseId, name });
      if (changed.changes === 0) throw new UserError('E_NOT_FOUND', `course ${quote(courseId)} has no assignment ${quote(name)}; add it first (gradebox assignments add)`);
      return findAssignment(db, courseId, name)!;
    },
  } satisfies Partial<StoreOperations>;
}
