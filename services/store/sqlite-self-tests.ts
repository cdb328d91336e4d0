// Self-tests in SQLite: the sample submissions an uploaded grader brings (each with the verdict it
// must get), and runs that grade them all as self-test submissions through the workers, like any
// other submission, so the grader is tested on the very hosts and pipeline that will grade students.
import { UserError } from '../common/errors.js';
import { newResourceId } from './ids.js';
import { checkCount, checkText, quote } from './input-checks.js';
import { checkManifest } from './manifest-check.js';
import { assignmentById } from './sqlite-assignments.js';
import { blobContentSize } from './sqlite-blob-contents.js';
import { now, writeTransaction, type SqliteDatabase } from './sqlite-connection.js';
import type { SqliteContext } from './sqlite-context.js';
import { checkExpectedVerdict } from './self-test-checks.js';
import { submissionOperations } from './sqlite-submissions.js';
import { toGraderSample, toSelfTest, toSelfTestCase, type CaseRow, type SampleRow, type SelfTestRow } from './staff-rows.js';
import type { GraderSample, SelfTest, SelfTestCase } from './store.js';
import type { StoreOperations } from './store-operations.js';

function samplesOf(db: SqliteDatabase, assignmentId: number, graderDigest: string): GraderSample[] {
  const rows = db.prepare('SELECT name, expected_verdict, files_json FROM grader_samples WHERE assignment_id = ? AND grader_digest = ? ORDER BY name')
    .all(assignmentId, graderDigest) as SampleRow[];
  return rows.map(toGraderSample);
}

function requireAssignmentId(db: SqliteDatabase, id: number) {
  const assignment = assignmentById(db, checkCount('assignment id', id, 1));
  if (!assignment) throw new UserError('E_NOT_FOUND', `assignment ${quote(id)} does not exist`);
  return assignment;
}

function casesOf(db: SqliteDatabase, selfTestId: string): SelfTestCase[] {
  const rows = db.prepare(`SELECT c.name, c.expected_verdict, c.submission_id, s.status,
      (SELECT r.verdict FROM results r WHERE r.submission_id = s.id AND r.grade_number = s.grade_number AND r.outcome = 'graded') AS verdict
    FROM self_test_cases c JOIN submissions s ON s.id = c.submission_id WHERE c.self_test_id = ? ORDER BY c.name`).all(selfTestId) as CaseRow[];
  return rows.map(toSelfTestCase);
}

const selfTestOf = (db: SqliteDatabase, row: SelfTestRow): SelfTest => toSelfTest(row, casesOf(db, row.id));

export function selfTestOperations(context: SqliteContext) {
  const { db, blobs, options } = context;
  const submissions = submissionOperations(context);
  return {
    setGraderSamples(assignmentId, graderDigest, samples) {
      requireAssignmentId(db, assignmentId);
      const blobSize = (sha256: string) => blobContentSize(db, sha256) ?? blobs.sizeOf(sha256);
      const caps = { maxFiles: options.maxFilesPerSubmission, maxTotalBytes: options.maxSubmissionBytes };
      const checked = samples.map((sample) => ({
        name: checkText('sample name', sample.name, 200),
        expectedVerdict: checkExpectedVerdict(sample.expectedVerdict),
        files: checkManifest(sample.files, caps, blobSize).files,
      }));
      writeTransaction(db, () => {
        db.prepare('DELETE FROM grader_samples WHERE assignment_id = ? AND grader_digest = ?').run(assignmentId, graderDigest);
        const add = db.prepare('INSERT INTO grader_samples (assignment_id, grader_digest, name, expected_verdict, files_json) VALUES (?, ?, ?, ?, ?)');
        for (const s of checked) add.run(assignmentId, graderDigest, s.name, s.expectedVerdict, JSON.stringify(s.files));
      });
    },

    listGraderSamples: (assignmentId, graderDigest) => samplesOf(db, assignmentId, graderDigest),

    startSelfTest(assignmentId, requestedBy, requestId) {
      const assignment = requireAssignmentId(db, assignmentId);
      checkText('requested by', requestedBy, 300);
      return writeTransaction(db, () => {
        const id = newResourceId('st');
        db.prepare('INSERT INTO self_tests (id, assignment_id, grader_digest, requested_by, created_at) VALUES (?, ?, ?, ?, ?)')
          .run(id, assignment.id, assignment.graderDigest, requestedBy, now());
        const addCase = db.prepare('INSERT INTO self_test_cases (self_test_id, name, expected_verdict, submission_id) VALUES (?, ?, ?, ?)');
        for (const sample of samplesOf(db, assignment.id, assignment.graderDigest)) {
          const { submission } = submissions.createSubmission({
            courseId: assignment.courseId, assignmentId: assignment.id, student: `self-test:${sample.name}`, files: sample.files, purpose: 'self_test', requestId,
          });
          addCase.run(id, sample.name, sample.expectedVerdict, submission.id);
        }
        return selfTestOf(db, db.prepare('SELECT * FROM self_tests WHERE id = ?').get(id) as SelfTestRow);
      });
    },

    latestSelfTest(assignmentId) {
      const row = db.prepare('SELECT * FROM self_tests WHERE assignment_id = ? ORDER BY created_at DESC, rowid DESC LIMIT 1').get(assignmentId) as SelfTestRow | undefined;
      return row ? selfTestOf(db, row) : null;
    },
  } satisfies Partial<StoreOperations>;
}
