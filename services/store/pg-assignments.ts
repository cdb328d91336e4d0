// Assignments in PostgreSQL: a name unique per course, pointing at a grader snapshot by its digest
// (and the folder it was taken from), with the due date and feedback release that decide what
// students see of their results.
import { UserError } from '../common/errors.js';
import { checkAbsolutePath, checkAssignmentName, checkIsoTime, checkSha256, quote } from './input-checks.js';
import { now, row, rows, type Queryable } from './pg-connection.js';
import type { PgContext } from './pg-context.js';
import { requireCourse } from './pg-courses.js';
import { hasGraderSnapshot } from './pg-grader-snapshots.js';
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

const toAssignment = (r: AssignmentRow): Assignment => ({
  id: r.id, courseId: r.course_id, name: r.name, graderDir: r.grader_dir, graderDigest: r.grader_digest,
  dueAt: r.due_at, feedbackReleasedAt: r.feedback_released_at, createdAt: r.created_at, updatedAt: r.updated_at,
});

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
      checkAbsolutePath('grader folder', graderDir);
      checkSha256('grader digest', graderDigest);
      if (!(await hasGraderSnapshot(pool, graderDigest))) {
        throw new UserError('E_NO_GRADER_SNAPSHOT', `no snapshot of grader ${graderDigest} is stored; store it first (gradebox assignments add does)`);
      }
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
      const changed = await row<AssignmentRow>(pool, `UPDATE assignments SET
          due_at = CASE WHEN $1::boolean THEN $2::timestamptz ELSE due_at END,
          feedback_released_at = CASE $3::boolean WHEN true THEN COALESCE(feedback_released_at, $4) WHEN false THEN NULL ELSE feedback_released_at END,
          updated_at = $4
        WHERE course_id = $5 AND name = $6
        RETURNING *`, [dueAt !== undefined, dueAt ?? null, change.released ?? null, now(), courseId, name]);
      if (!changed) throw new UserError('E_NOT_FOUND', `course ${quote(courseId)} has no assignment ${quote(name)}; add it first (gradebox assignments add)`);
      return toAssignment(changed);
    },
  } satisfies Partial<StoreOperations>;
}
