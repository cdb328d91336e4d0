// Courses in SQLite: made explicitly (a typo elsewhere never makes one), renamed, archived.
import { UserError } from '../common/errors.js';
import { checkCourseId, checkText, quote } from './input-checks.js';
import { now, type SqliteDatabase } from './sqlite-connection.js';
import type { SqliteContext } from './sqlite-context.js';
import type { Course } from './store.js';
import type { StoreOperations } from './store-operations.js';

interface CourseRow {
  id: string;
  name: string;
  created_at: string;
  archived_at: string | null;
}

const toCourse = (row: CourseRow): Course => ({ id: row.id, name: row.name, createdAt: row.created_at, archivedAt: row.archived_at });

function findCourse(db: SqliteDatabase, id: string): Course | null {
  const row = db.prepare('SELECT * FROM courses WHERE id = ?').get(id) as CourseRow | undefined;
  return row ? toCourse(row) : null;
}

/** The ids of every course, for a message that names what exists. */
function courseIds(db: SqliteDatabase): string[] {
  return db.prepare('SELECT id FROM courses ORDER BY id LIMIT 20').pluck().all() as string[];
}

/** The course, or a UserError naming it (and the courses there are) when it does not exist. */
export function requireCourse(db: SqliteDatabase, id: string): Course {
  const course = findCourse(db, checkCourseId(id));
  if (!course) {
    const known = courseIds(db);
    throw new UserError('E_NOT_FOUND', `course ${quote(id)} does not exist; create it first (gradebox courses add ${id})${known.length ? `, or use one of: ${known.join(', ')}` : ''}`);
  }
  return course;
}

export function courseOperations({ db }: SqliteContext) {
  return {
    /** Creates the course, or returns it unchanged (name included) when it exists. */
    createCourse(id, name) {
      checkCourseId(id);
      const title = name === undefined ? id : checkText('course name', name, 200);
      db.prepare('INSERT INTO courses (id, name, created_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING').run(id, title, now());
      return findCourse(db, id)!;
    },

    getCourse: (id) => findCourse(db, id),

    listCourses() {
      return (db.prepare('SELECT * FROM courses ORDER BY id').all() as CourseRow[]).map(toCourse);
    },

    renameCourse(id, name) {
      requireCourse(db, id);
      db.prepare('UPDATE courses SET name = ? WHERE id = ?').run(checkText('course name', name, 200), id);
      return findCourse(db, id)!;
    },

    /** Archiving again keeps the first archive's time. */
    setCourseArchived(id, archived) {
      requireCourse(db, id);
      if (typeof archived !== 'boolean') throw new UserError('E_BAD_INPUT', 'archived must be true or false');
      db.prepare('UPDATE courses SET archived_at = CASE WHEN ? THEN COALESCE(archived_at, ?) ELSE NULL END WHERE id = ?').run(archived ? 1 : 0, now(), id);
      return findCourse(db, id)!;
    },
  } satisfies Partial<StoreOperations>;
}
