// Submissions in SQLite: each stored with its files, its first grading request and its first event
// in one transaction; an idempotency key makes a retried upload return the submission it made.
import { UserError } from '../common/errors.js';
import { isSubmissionId, newSubmissionId } from '../protocol/ids.js';
import { checkCount, checkLimit, checkText, quote } from './input-checks.js';
import { checkManifest, type ManifestCaps } from './manifest-check.js';
import type { SqliteAssignments } from './sqlite-assignments.js';
import { broughtContents, type SqliteBlobContents } from './sqlite-blob-contents.js';
import { now, writeTransaction, type SqliteDatabase } from './sqlite-connection.js';
import type { SqliteEvents } from './sqlite-events.js';
import { requireGradeState } from './sqlite-grade-state.js';
import type { SqliteOutbox } from './sqlite-outbox.js';
import type { CreatedSubmission, NewSubmission, Submission, SubmissionFile, SubmissionQuery, SubmissionStatus } from './store.js';

interface SubmissionRow {
  id: string;
  course_id: string;
  assignment_id: number;
  assignment_name: string;
  student: string;
  status: SubmissionStatus;
  grade_number: number;
  attempts: number;
  file_count: number;
  total_bytes: number;
  created_at: string;
  updated_at: string;
  error: string | null;
  error_code: string | null;
  result_json: string | null;
  result_grade_number: number | null;
}

/** A submission with its assignment's name, its attempts at the latest grading and its newest result. */
const SELECT = `SELECT s.*, a.name AS assignment_name,
    (SELECT COUNT(*) FROM attempts t WHERE t.submission_id = s.id AND t.grade_number = s.grade_number) AS attempts,
    r.result_json, r.grade_number AS result_grade_number
  FROM submissions s
  JOIN assignments a ON a.id = s.assignment_id
  LEFT JOIN results r ON r.submission_id = s.id AND r.grade_number =
    (SELECT MAX(grade_number) FROM results x WHERE x.submission_id = s.id AND x.outcome = 'graded')`;

const toSubmission = (row: SubmissionRow): Submission => ({
  id: row.id, courseId: row.course_id, assignmentId: row.assignment_id, assignmentName: row.assignment_name, student: row.student,
  status: row.status, gradeNumber: row.grade_number, attempts: row.attempts, fileCount: row.file_count, totalBytes: row.total_bytes,
  createdAt: row.created_at, updatedAt: row.updated_at, error: row.error, errorCode: row.error_code,
  result: row.result_json === null ? null : JSON.parse(row.result_json) as Record<string, unknown>,
  resultGradeNumber: row.result_grade_number,
});

export class SqliteSubmissions {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly assignments: SqliteAssignments,
    private readonly outbox: SqliteOutbox,
    private readonly events: SqliteEvents,
    private readonly blobContents: SqliteBlobContents,
    private readonly caps: ManifestCaps,
  ) {}

  /** `storedSize` gives the size of a blob stored before (in the database or as a file), or null. */
  create(input: NewSubmission, storedSize: (sha256: string) => number | null): CreatedSubmission {
    const assignment = this.assignments.byId(checkCount('assignment id', input.assignmentId, 1));
    if (!assignment || assignment.courseId !== input.courseId) {
      throw new UserError('E_NOT_FOUND', `assignment ${input.assignmentId} does not exist in course ${quote(input.courseId)}; check the assignment`);
    }
    const student = checkText('student', input.student, 200);
    const key = input.idempotencyKey === undefined ? null : checkText('idempotency key', input.idempotencyKey, 200);
    const brought = broughtContents(Array.isArray(input.files) ? input.files : []);
    const { files, totalBytes } = checkManifest(input.files, this.caps, (sha256) => brought.get(sha256)?.length ?? storedSize(sha256));
    return writeTransaction(this.db, () => {
      const earlier = key === null ? null : this.byIdempotencyKey(input.courseId, key, assignment.id, student);
      if (earlier) return { submission: earlier, created: false };
      for (const [sha256, content] of brought) this.blobContents.add(sha256, content);
      const id = newSubmissionId();
      const at = now();
      this.db.prepare(`INSERT INTO submissions (id, course_id, assignment_id, student, idempotency_key, status, grade_number, file_count, total_bytes, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, 'queued', 1, ?, ?, ?, ?)`).run(id, input.courseId, assignment.id, student, key, files.length, totalBytes, at, at);
      const addFile = this.db.prepare('INSERT INTO submission_files (submission_id, path, sha256, size) VALUES (?, ?, ?, ?)');
      for (const file of files) addFile.run(id, file.path, file.sha256, file.size);
      this.outbox.add(id, 'grade', 1);
      this.events.append(id, 'queued', { gradeNumber: 1, kind: 'grade' });
      return { submission: this.get(id)!, created: true };
    });
  }

  get(id: string): Submission | null {
    if (!isSubmissionId(id)) return null;
    const row = this.db.prepare(`${SELECT} WHERE s.id = ?`).get(id) as SubmissionRow | undefined;
    return row ? toSubmission(row) : null;
  }

  /** Newest first. */
  list(query: SubmissionQuery): Submission[] {
    const where = ['s.course_id = ?'];
    const params: unknown[] = [query.courseId];
    if (query.assignmentId !== undefined) { where.push('s.assignment_id = ?'); params.push(query.assignmentId); }
    if (query.student !== undefined) { where.push('s.student = ?'); params.push(query.student); }
    const rows = this.db.prepare(`${SELECT} WHERE ${where.join(' AND ')} ORDER BY s.created_at DESC, s.rowid DESC LIMIT ?`)
      .all(...params, checkLimit(query.limit, 100)) as SubmissionRow[];
    return rows.map(toSubmission);
  }

  files(id: string): SubmissionFile[] {
    requireGradeState(this.db, id);
    return this.db.prepare('SELECT path, sha256, size FROM submission_files WHERE submission_id = ? ORDER BY path').all(id) as SubmissionFile[];
  }

  /** The next grading of the submission: a new grade number, an outbox row, status `queued`, a `queued` event. */
  regrade(id: string): Submission {
    return writeTransaction(this.db, () => {
      const gradeNumber = requireGradeState(this.db, id).gradeNumber + 1;
      this.db.prepare("UPDATE submissions SET grade_number = ?, status = 'queued', error = NULL, error_code = NULL, updated_at = ? WHERE id = ?").run(gradeNumber, now(), id);
      this.outbox.add(id, 'regrade', gradeNumber);
      this.events.append(id, 'queued', { gradeNumber, kind: 'regrade' });
      return this.get(id)!;
    });
  }

  /**
   * The submission an idempotency key made before, or null. The same key for another assignment or
   * student is a client bug (two uploads under one key), refused rather than answered with the wrong one.
   */
  private byIdempotencyKey(courseId: string, key: string, assignmentId: number, student: string): Submission | null {
    const row = this.db.prepare('SELECT id, assignment_id, student FROM submissions WHERE course_id = ? AND idempotency_key = ?').get(courseId, key) as
      { id: string; assignment_id: number; student: string } | undefined;
    if (!row) return null;
    if (row.assignment_id !== assignmentId || row.student !== student) {
      throw new UserError('E_IDEMPOTENCY_CONFLICT',
        `idempotency key ${quote(key)} was already used for submission ${row.id} of another assignment or student; use a new key for a new upload`);
    }
    return this.get(row.id);
  }
}
