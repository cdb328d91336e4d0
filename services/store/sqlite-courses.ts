// Courses in SQLite.
import { UserError } from '../common/errors.js';
import { checkCourseId, checkText, quote } from './input-checks.js';
import { now, type SqliteDatabase } from './sqlite-connection.js';
import type { Course } from './store.js';

interface CourseRow {
  id: string;
  name: string;
  created_at: string;
}

const toCourse = (row: CourseRow): Course => ({ id: row.id, name: row.name, createdAt: row.created_at });

export class SqliteCourses {
  constructor(private readonly db: SqliteDatabase) {}

  /** Creates the course, or returns it unchanged (name included) when it exists. */
  create(id: string, name?: string): Course {
    checkCourseId(id);
    const title = name === undefined ? id : checkText('course name', name, 200);
    this.db.prepare('INSERT INTO courses (id, name, created_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING').run(id, title, now());
    return this.get(id)!;
  }

  get(id: string): Course | null {
    const row = this.db.prepare('SELECT * FROM courses WHERE id = ?').get(id) as CourseRow | undefined;
    return row ? toCourse(row) : null;
  }

  list(): Course[] {
    return (this.db.prepare('SELECT * FROM courses ORDER BY id').all() as CourseRow[]).map(toCourse);
  }

  /** The course, or a UserError naming it when it does not exist. */
  require(id: string): Course {
    const course = this.get(checkCourseId(id));
    if (!course) throw new UserError('E_NOT_FOUND', `course ${quote(id)} does not exist; create it first`);
    return course;
  }
}
