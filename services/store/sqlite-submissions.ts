// Submissions in SQLite: each stored with its files, its first grading request and its first event
// in one transaction; an idempotency key makes a retried upload return the submission it made.
import { UserError } from '../common/errors.js';
import { isSubmissionId, newSubmissionId } from '../protocol/ids.js';
import { broughtContents } from './brought-contents.js';
import { checkCount, checkIsoTime, checkLimit, checkText, quote } from './input-checks.js';
import { checkEntry, checkManifest } from './manifest-check.js';
import { assignmentById } from './sqlite-assignments.js';
import { addBlobContent, blobContentSize } from './sqlite-blob-contents.js';
import { toSubmission, type SubmissionRow } from './rows.js';
import { now, writeTransaction, type SqliteDatabase } from './sqlite-connection.js';
import type { SqliteContext } from './sqlite-context.js';
import { appendEvent } from './sqlite-events.js';
import { requireGradeState } from './sqlite-grade-state.js';
import { addOutboxRow } from './sqlite-outbox.js';
import { checkPurpose, checkStatus } from './submission-checks.js';
import type { NewSubmission, Submission, SubmissionFile, SubmissionQuery } from './store.js';
import type { StoreOperations } from './store-operations.js';

/** A submission with its assignment's name, its attempts at the latest grading and its newest result. */
const SELECT = `SELECT s.*, a.name AS assignment_name,
    (SELECT COUNT(*) FROM attempts t WHERE t.submission_id = s.id AND t.grade_number = s.grade_number) AS attempts,
    r.result_json, r.grade_number AS result_grade_number
  FROM submissions s
  JOIN assignments a ON a.id = s.assignment_id
  LEFT JOIN results r ON r.submission_id = s.id AND r.grade_number =
    (SELECT MAX(grade_number) FROM results x WHERE x.submission_id = s.id AND x.outcome = 'graded')`;

/** The WHERE clause of a listing and its parameters. */
function queryFilter(query: SubmissionQuery): { where: string; params: unknown[] } {
  const where = ['s.course_id = ?', 's.purpose = ?'];
  const params: unknown[] = [query.courseId, checkPurpose(query.purpose ?? 'student')];
  const add = (clause: string, value: unknown) => { where.push(clause); params.push(value); };
  if (query.assignmentId !== undefined) add('s.assignment_id = ?', query.assignmentId);
  if (query.student !== undefined) add('s.student = ?', query.student);
  if (query.status !== undefined) add('s.status = ?', checkStatus(query.status));
  if (query.verdict !== undefined) add('r.verdict = ?', checkText('verdict', query.verdict, 40));
  if (query.since !== undefined) add('s.created_at >= ?', checkIsoTime('since', query.since));
  if (query.until !== undefined) add('s.created_at < ?', checkIsoTime('until', query.until));
  if (query.after !== undefined) {
    where.push('(s.created_at < ? OR (s.created_at = ? AND s.id < ?))');
    params.push(query.after.createdAt, query.after.createdAt, String(query.after.id));
  }
  return { where: where.join(' AND '), params };
}

/** The ids of the submissions the query takes, newest first, without their results (a regrade batch needs only these). */
export function querySubmissionIds(db: SqliteDatabase, query: SubmissionQuery, limit: number): string[] {
  const { where, params } = queryFilter(query);
  return db.prepare(`SELECT s.id FROM submissions s
    LEFT JOIN results r ON r.submission_id = s.id AND r.grade_number =
      (SELECT MAX(grade_number) FROM results x WHERE x.submission_id = s.id AND x.outcome = 'graded')
    WHERE ${where} ORDER BY s.created_at DESC, s.id DESC LIMIT ?`).pluck().all(...params, limit) as string[];
}

/** The submissions the query takes, newest first (ties by id, so a cursor never skips one). */
export function querySubmissions(db: SqliteDatabase, query: SubmissionQuery, limit: number): Submission[] {
  const { where, params } = queryFilter(query);
  const rows = db.prepare(`${SELECT} WHERE ${where} ORDER BY s.created_at DESC, s.id DESC LIMIT ?`).all(...params, limit) as SubmissionRow[];
  return rows.map(toSubmission);
}

function findSubmission(db: SqliteDatabase, id: string): Submission | null {
  if (!isSubmissionId(id)) return null;
  const row = db.prepare(`${SELECT} WHERE s.id = ?`).get(id) as SubmissionRow | undefined;
  return row ? toSubmission(row) : null;
}

/**
 * The submission an idempotency key made before, or null. The same key for another assignment or
 * student is a client bug (two uploads under one key), refused rather than answered with the wrong one.
 */
function byIdempotencyKey(db: SqliteDatabase, courseId: string, key: string, assignmentId: number, student: string): Submission | null {
  const row = db.prepare('SELECT id, assignment_id, student FROM submissions WHERE course_id = ? AND idempotency_key = ?').get(courseId, key) as
    { id: string; assignment_id: number; student: string } | undefined;
  if (!row) return null;
  if (row.assignment_id !== assignmentId || row.student !== student) {
    throw new UserError('E_IDEMPOTENCY_CONFLICT',
      `idempotency key ${quote(key)} was already used for submission ${row.id} of another assignment or student; use a new key for a new upload`);
  }
  return findSubmission(db, row.id);
}

/** Checks a new submission's fields and files; its files' blobs are stored before, or brought with it. */
function checkNewSubmission({ db, blobs, options }: SqliteContext, input: NewSubmission) {
  const assignment = assignmentById(db, checkCount('assignment id', input.assignmentId, 1));
  if (!assignment || assignment.courseId !== input.courseId) {
    throw new UserError('E_NOT_FOUND', `assignment ${input.assignmentId} does not exist in course ${quote(input.courseId)}; check the assignment`);
  }
  const student = checkText('student', input.student, 200);
  const key = input.idempotencyKey === undefined ? null : checkText('idempotency key', input.idempotencyKey, 200);
  const brought = broughtContents(Array.isArray(input.files) ? input.files : []);
  const storedSize = (sha256: string): number | null => brought.get(sha256)?.length ?? blobContentSize(db, sha256) ?? blobs.sizeOf(sha256);
  const caps = { maxFiles: options.maxFilesPerSubmission, maxTotalBytes: options.maxSubmissionBytes };
  const { files, totalBytes } = checkManifest(input.files, caps, storedSize);
  const entry = input.entry === undefined ? null : checkEntry(input.entry, files);
  return { assignment, student, key, brought, files, totalBytes, entry, purpose: checkPurpose(input.purpose ?? 'student') };
}

export function submissionOperations(context: SqliteContext) {
  const { db } = context;
  return {
    createSubmission(input) {
      const { assignment, student, key, brought, files, totalBytes, entry, purpose } = checkNewSubmission(context, input);
      return writeTransaction(db, () => {
        const earlier = key === null ? null : byIdempotencyKey(db, input.courseId, key, assignment.id, student);
        if (earlier) return { submission: earlier, created: false };
        for (const [sha256, content] of brought) addBlobContent(db, sha256, content);
        const id = newSubmissionId();
        const at = now();
        db.prepare(`INSERT INTO submissions (id, course_id, assignment_id, student, idempotency_key, status, grade_number, file_count, total_bytes, entry, created_at, updated_at, purpose)
          VALUES (?, ?, ?, ?, ?, 'queued', 1, ?, ?, ?, ?, ?, ?)`).run(id, input.courseId, assignment.id, student, key, files.length, totalBytes, entry, at, at, purpose);
        const addFile = db.prepare('INSERT INTO submission_files (submission_id, path, sha256, size) VALUES (?, ?, ?, ?)');
        for (const file of files) addFile.run(id, file.path, file.sha256, file.size);
        addOutboxRow(db, id, 'grade', 1, input.requestId);
        appendEvent(context, id, 'queued', { gradeNumber: 1, kind: 'grade' });
        return { submission: findSubmission(db, id)!, created: true };
      });
    },

    getSubmission: (id) => findSubmission(db, id),

    /** Newest first. */
    listSubmissions: (query) => querySubmissions(db, query, checkLimit(query.limit, 100)),

    listSubmissionFiles(id) {
      requireGradeState(db, id);
      return db.prepare('SELECT path, sha256, size FROM submission_files WHERE submission_id = ? ORDER BY path').all(id) as SubmissionFile[];
    },

    /** The next grading of the submission: a new grade number, an outbox row, status `queued`, a `queued` event. */
    requestRegrade(id, requestId) {
      return writeTransaction(db, () => {
        const gradeNumber = requireGradeState(db, id).gradeNumber + 1;
        db.prepare("UPDATE submissions SET grade_number = ?, status = 'queued', error = NULL, error_code = NULL, updated_at = ? WHERE id = ?").run(gradeNumber, now(), id);
        addOutboxRow(db, id, 'regrade', gradeNumber, requestId);
        appendEvent(context, id, 'queued', { gradeNumber, kind: 'regrade' });
        return findSubmission(db, id)!;
      });
    },
  } satisfies Partial<StoreOperations>;
}
