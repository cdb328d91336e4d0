// Submissions in PostgreSQL: each stored with its files, its first grading request and its first
// event in one transaction; an idempotency key makes a retried upload return the submission it made.
import { UserError } from '../common/errors.js';
import { isSha256Hex } from '../protocol/digest.js';
import { isSubmissionId, newSubmissionId } from '../protocol/ids.js';
import { broughtContents } from './brought-contents.js';
import { checkCount, checkIsoTime, checkLimit, checkText, quote } from './input-checks.js';
import { checkEntry, checkManifest } from './manifest-check.js';
import { assignmentById } from './pg-assignments.js';
import { addBlobContent, blobContentSizes } from './pg-blob-contents.js';
import { toSubmission, type SubmissionRow } from './rows.js';
import { now, row, rows, writeTransaction, type PgClient, type Queryable } from './pg-connection.js';
import type { PgContext } from './pg-context.js';
import { eventText, insertEvent } from './pg-events.js';
import { requireGradeState } from './pg-grade-state.js';
import { addOutboxRow } from './pg-outbox.js';
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

export async function findSubmission(db: Queryable, id: string): Promise<Submission | null> {
  if (!isSubmissionId(id)) return null;
  const found = await row<SubmissionRow>(db, `${SELECT} WHERE s.id = $1`, [id]);
  return found ? toSubmission(found) : null;
}

/**
 * The submission an idempotency key made before, or null. The same key for another assignment or
 * student is a client bug (two uploads under one key), refused rather than answered with the wrong one.
 */
async function byIdempotencyKey(db: Queryable, courseId: string, key: string, assignmentId: number, student: string): Promise<Submission | null> {
  const found = await row<{ id: string; assignment_id: number; student: string }>(db,
    'SELECT id, assignment_id, student FROM submissions WHERE course_id = $1 AND idempotency_key = $2', [courseId, key]);
  if (!found) return null;
  if (found.assignment_id !== assignmentId || found.student !== student) {
    throw new UserError('E_IDEMPOTENCY_CONFLICT',
      `idempotency key ${quote(key)} was already used for submission ${found.id} of another assignment or student; use a new key for a new upload`);
  }
  return findSubmission(db, found.id);
}

/** Checks a new submission's fields and files; its files' blobs are stored before, or brought with it. */
export async function checkNewSubmission({ pool, blobs, options }: PgContext, input: NewSubmission) {
  const assignment = await assignmentById(pool, checkCount('assignment id', input.assignmentId, 1));
  if (!assignment || assignment.courseId !== input.courseId) {
    throw new UserError('E_NOT_FOUND', `assignment ${input.assignmentId} does not exist in course ${quote(input.courseId)}; check the assignment`);
  }
  const student = checkText('student', input.student, 200);
  const key = input.idempotencyKey === undefined ? null : checkText('idempotency key', input.idempotencyKey, 200);
  const brought = broughtContents(Array.isArray(input.files) ? input.files : []);
  const named = (Array.isArray(input.files) ? input.files : []).map((f) => f?.sha256).filter((d): d is string => isSha256Hex(d) && !brought.has(d));
  const sizes = await blobContentSizes(pool, [...new Set(named)]);
  const storedSize = (sha256: string): number | null => brought.get(sha256)?.length ?? sizes.get(sha256) ?? blobs.sizeOf(sha256);
  const caps = { maxFiles: options.maxFilesPerSubmission, maxTotalBytes: options.maxSubmissionBytes };
  const { files, totalBytes } = checkManifest(input.files, caps, storedSize);
  const entry = input.entry === undefined ? null : checkEntry(input.entry, files);
  return { assignment, student, key, brought, files, totalBytes, entry, purpose: checkPurpose(input.purpose ?? 'student') };
}

/** The WHERE clause of a listing and its parameters (numbered from $1). */
function queryFilter(query: SubmissionQuery): { where: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (clause: (n: string) => string, value: unknown) => { params.push(value); where.push(clause(`$${params.length}`)); };
  add((n) => `s.course_id = ${n}`, query.courseId);
  add((n) => `s.purpose = ${n}`, checkPurpose(query.purpose ?? 'student'));
  if (query.assignmentId !== undefined) add((n) => `s.assignment_id = ${n}`, query.assignmentId);
  if (query.student !== undefined) add((n) => `s.student = ${n}`, query.student);
  if (query.status !== undefined) add((n) => `s.status = ${n}`, checkStatus(query.status));
  if (query.verdict !== undefined) add((n) => `r.verdict = ${n}`, checkText('verdict', query.verdict, 40));
  if (query.since !== undefined) add((n) => `s.created_at >= ${n}`, checkIsoTime('since', query.since));
  if (query.until !== undefined) add((n) => `s.created_at < ${n}`, checkIsoTime('until', query.until));
  if (query.after !== undefined) {
    params.push(query.after.createdAt, String(query.after.id));
    const [at, id] = [`$${params.length - 1}`, `$${params.length}`];
    where.push(`(s.created_at < ${at} OR (s.created_at = ${at} AND s.id COLLATE "C" < ${id}))`);
  }
  return { where: where.join(' AND '), params };
}

/** Newest first, ties by id (as SQLite orders them), so a cursor never skips one. */
const NEWEST_FIRST = 'ORDER BY s.created_at DESC, s.id COLLATE "C" DESC';

/** The ids of the submissions the query takes, newest first, without their results (a regrade batch needs only these). */
export async function querySubmissionIds(db: Queryable, query: SubmissionQuery, limit: number): Promise<string[]> {
  const { where, params } = queryFilter(query);
  const found = await rows<{ id: string }>(db, `SELECT s.id FROM submissions s
    LEFT JOIN results r ON r.submission_id = s.id AND r.grade_number =
      (SELECT MAX(grade_number) FROM results x WHERE x.submission_id = s.id AND x.outcome = 'graded')
    WHERE ${where} ${NEWEST_FIRST} LIMIT $${params.length + 1}`, [...params, limit]);
  return found.map((r) => r.id);
}

export type CheckedSubmission = Awaited<ReturnType<typeof checkNewSubmission>>;

/** Checks a new submission (outside any transaction: it reads blob sizes). */
export function checkSubmission(context: PgContext, input: NewSubmission): Promise<CheckedSubmission> {
  return checkNewSubmission(context, input);
}

/** Stores a checked submission inside the caller's transaction: its row, files, outbox row and queued event. */
export async function insertCheckedSubmission(context: PgContext, client: PgClient, input: NewSubmission, checked: CheckedSubmission) {
  const { key, assignment, student } = checked;
  const earlier = key === null ? null : await byIdempotencyKey(client, input.courseId, key, assignment.id, student);
  if (earlier) return { submission: earlier, created: false };
  const id = await insertSubmission(client, newSubmissionId(), input, checked);
  // Another upload with the same key committed meanwhile: that one is the submission.
  if (id === null) return { submission: (await byIdempotencyKey(client, input.courseId, key!, assignment.id, student))!, created: false };
  // In digest order: two uploads bringing the same contents wait for each other instead of deadlocking.
  for (const sha256 of [...checked.brought.keys()].sort()) await addBlobContent(client, sha256, checked.brought.get(sha256)!);
  await client.query(`INSERT INTO submission_files (submission_id, path, sha256, size) SELECT $1, * FROM unnest($2::text[], $3::text[], $4::bigint[])`,
    [id, checked.files.map((f) => f.path), checked.files.map((f) => f.sha256), checked.files.map((f) => f.size)]);
  await addOutboxRow(client, id, 'grade', 1, input.requestId);
  await insertEvent(client, id, 'queued', eventText(context, 'queued', { gradeNumber: 1, kind: 'grade' }));
  return { submission: (await findSubmission(client, id))!, created: true };
}

/** The next grading of the submission inside the caller's transaction. */
export async function regradeIn(context: PgContext, client: PgClient, id: string, requestId?: string): Promise<Submission> {
  const gradeNumber = (await requireGradeState(client, id, true)).gradeNumber + 1;
  await client.query("UPDATE submissions SET grade_number = $1, status = 'queued', error = NULL, error_code = NULL, updated_at = $2 WHERE id = $3", [gradeNumber, now(), id]);
  await addOutboxRow(client, id, 'regrade', gradeNumber, requestId);
  await insertEvent(client, id, 'queued', eventText(context, 'queued', { gradeNumber, kind: 'regrade' }));
  return (await findSubmission(client, id))!;
}

/** Inserts the submission's row, unless its idempotency key was used before (null then). */

async function insertSubmission(client: PgClient, id: string, input: NewSubmission, checked: CheckedSubmission): Promise<string | null> {
  const at = now();
  const inserted = await client.query(`INSERT INTO submissions (id, course_id, assignment_id, student, idempotency_key, status, grade_number, file_count, total_bytes, entry, created_at, updated_at, purpose)
    VALUES ($1, $2, $3, $4, $5, 'queued', 1, $6, $7, $8, $9, $10, $11) ON CONFLICT (course_id, idempotency_key) DO NOTHING`,
  [id, input.courseId, checked.assignment.id, checked.student, checked.key, checked.files.length, checked.totalBytes, checked.entry, at, at, checked.purpose]);
  return inserted.rowCount === 1 ? id : null;
}

export function submissionOperations(context: PgContext) {
  const { pool } = context;
  return {
    async createSubmission(input) {
      const checked = await checkNewSubmission(context, input);
      return writeTransaction(pool, (client) => insertCheckedSubmission(context, client, input, checked));
    },

    getSubmission: (id) => findSubmission(pool, id),

    /** Newest first, filtered; a page after the cursor's submission. */
    async listSubmissions(query) {
      const { where, params } = queryFilter(query);
      params.push(checkLimit(query.limit, 100));
      return (await rows<SubmissionRow>(pool, `${SELECT} WHERE ${where} ${NEWEST_FIRST} LIMIT $${params.length}`, params)).map(toSubmission);
    },

    async listSubmissionFiles(id) {
      await requireGradeState(pool, id);
      return rows<SubmissionFile>(pool, 'SELECT path, sha256, size FROM submission_files WHERE submission_id = $1 ORDER BY path COLLATE "C"', [id]);
    },

    requestRegrade(id, requestId) {
      return writeTransaction(pool, (client) => regradeIn(context, client, id, requestId));
    },
  } satisfies Partial<StoreOperations>;
}
