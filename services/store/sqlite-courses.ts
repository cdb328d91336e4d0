// Courses in SQLite.
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
}

const toCourse = (row: CourseRow): Course => ({ id: row.id, name: row.name, createdAt: row.created_at });

function findCourse(db: SqliteDatabase, id: string): Course | null {
  const row = db.prepare('SELECT * FROM courses WHERE id = ?').get(id) as CourseRow | undefined;
  return row ? toCourse(row) : null;
}

/** The course, or a UserError naming it when it does not exist. */
export function requireCourse(db: SqliteDatabase, id: string): Course {
  const course = findCourse(db, checkCourseId(id));
  if (!course) throw new UserError('E_NOT_FOUND', `course ${quote(id)} does not exist; create it first`);
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
  } satisfies Partial<StoreOperations>;
}
