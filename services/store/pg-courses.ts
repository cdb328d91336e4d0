// Courses in PostgreSQL: made explicitly (a typo elsewhere never makes one), renamed, archived.
import { UserError } from '../common/errors.js';
import { checkCourseId, checkText, quote } from './input-checks.js';
import { now, row, rows, type Queryable } from './pg-connection.js';
import type { PgContext } from './pg-context.js';
import type { Course } from './store.js';
import type { StoreOperations } from './store-operations.js';

interface CourseRow {
  id: string;
  name: string;
  created_at: string;
  archived_at: string | null;
}

const toCourse = (r: CourseRow): Course => ({ id: r.id, name: r.name, createdAt: r.created_at, archivedAt: r.archived_at });

async function findCourse(db: Queryable, id: string): Promise<Course | null> {
  const found = await row<CourseRow>(db, 'SELECT * FROM courses WHERE id = $1', [id]);
  return found ? toCourse(found) : null;
}

/** The course, or a UserError naming it (and the courses there are) when it does not exist. */
export async function requireCourse(db: Queryable, id: string): Promise<Course> {
  const course = await findCourse(db, checkCourseId(id));
  if (!course) {
    const known = (await rows<{ id: string }>(db, 'SELECT id FROM courses ORDER BY id COLLATE "C" LIMIT 20')).map((r) => r.id);
    throw new UserError('E_NOT_FOUND', `course ${quote(id)} does not exist; create it first (gradebox courses add ${id})${known.length ? `, or use one of: ${known.join(', ')}` : ''}`);
  }
  return course;
}

export function courseOperations({ pool }: PgContext) {
  return {
    /** Creates the course, or returns it unchanged (name included) when it exists. */
    async createCourse(id, name) {
      checkCourseId(id);
      const title = name === undefined ? id : checkText('course name', name, 200);
      await pool.query('INSERT INTO courses (id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING', [id, title, now()]);
      return (await findCourse(pool, id))!;
    },

    getCourse: (id) => findCourse(pool, id),

    async listCourses() {
      return (await rows<CourseRow>(pool, 'SELECT * FROM courses ORDER BY id COLLATE "C"')).map(toCourse);
    },

    async renameCourse(id, name) {
      await requireCourse(pool, id);
      await pool.query('UPDATE courses SET name = $1 WHERE id = $2', [checkText('course name', name, 200), id]);
      return (await findCourse(pool, id))!;
    },

    /** Archiving again keeps the first archive's time. */
    async setCourseArchived(id, archived) {
      await requireCourse(pool, id);
      if (typeof archived !== 'boolean') throw new UserError('E_BAD_INPUT', 'archived must be true or false');
      await pool.query('UPDATE courses SET archived_at = CASE WHEN $1::boolean THEN COALESCE(archived_at, $2) ELSE NULL END WHERE id = $3', [archived, now(), id]);
      return (await findCourse(pool, id))!;
    },
  } satisfies Partial<StoreOperations>;
}
