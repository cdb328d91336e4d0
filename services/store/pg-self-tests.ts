// Self-tests in PostgreSQL: the sample submissions an uploaded grader brings (each with the verdict
// it must get), and runs that grade them all as self-test submissions through the workers, like
// any other submission, so the grader is tested on the very hosts and pipeline that will grade students.
import { UserError } from '../common/errors.js';
import { isSha256Hex } from '../protocol/digest.js';
import { newResourceId } from './ids.js';
import { checkCount, checkText, quote } from './input-checks.js';
import { checkManifest } from './manifest-check.js';
import { assignmentById } from './pg-assignments.js';
import { blobContentSizes } from './pg-blob-contents.js';
import { now, row, rows, writeTransaction, type Queryable } from './pg-connection.js';
import type { PgContext } from './pg-context.js';
import { checkSubmission, insertCheckedSubmission } from './pg-submissions.js';
import { checkExpectedVerdict } from './self-test-checks.js';
import { toGraderSample, toSelfTest, toSelfTestCase, type CaseRow, type SampleRow, type SelfTestRow } from './staff-rows.js';
import type { GraderSample, SelfTest, SelfTestCase } from './store.js';
import type { StoreOperations } from './store-operations.js';

async function samplesOf(db: Queryable, assignmentId: number, graderDigest: string): Promise<GraderSample[]> {
  const found = await rows<SampleRow>(db,
    'SELECT name, expected_verdict, files_json FROM grader_samples WHERE assignment_id = $1 AND grader_digest = $2 ORDER BY name COLLATE "C"', [assignmentId, graderDigest]);
  return found.map(toGraderSample);
}

async function requireAssignmentId(db: Queryable, id: number) {
  const assignment = await assignmentById(db, checkCount('assignment id', id, 1));
  if (!assignment) throw new UserError('E_NOT_FOUND', `assignment ${quote(id)} does not exist`);
  return assignment;
}

async function casesOf(db: Queryable, selfTestId: string): Promise<SelfTestCase[]> {
  const found = await rows<CaseRow>(db,
    `SELECT c.name, c.expected_verdict, c.submission_id, s.status,
      (SELECT r.verdict FROM results r WHERE r.submission_id = s.id AND r.grade_number = s.grade_number AND r.outcome = 'graded') AS verdict
    FROM self_test_cases c JOIN submissions s ON s.id = c.submission_id WHERE c.self_test_id = $1 ORDER BY c.name COLLATE "C"`, [selfTestId]);
  return found.map(toSelfTestCase);
}

async function selfTestOf(db: Queryable, r: SelfTestRow): Promise<SelfTest> {
  return toSelfTest(r, await casesOf(db, r.id));
}

export function selfTestOperations(context: PgContext) {
  const { pool, blobs, options } = context;
  return {
    async setGraderSamples(assignmentId, graderDigest, samples) {
      await requireAssignmentId(pool, assignmentId);
      const named = [...new Set(samples.flatMap((s) => (Array.isArray(s.files) ? s.files.map((f) => f?.sha256) : [])).filter((d): d is string => isSha256Hex(d)))];
      const sizes = await blobContentSizes(pool, named);
      const caps = { maxFiles: options.maxFilesPerSubmission, maxTotalBytes: options.maxSubmissionBytes };
      const checked = samples.map((sample) => ({
        name: checkText('sample name', sample.name, 200),
        expectedVerdict: checkExpectedVerdict(sample.expectedVerdict),
        files: checkManifest(sample.files, caps, (sha256) => sizes.get(sha256) ?? blobs.sizeOf(sha256)).files,
      }));
      await writeTransaction(pool, async (client) => {
        await client.query('DELETE FROM grader_samples WHERE assignment_id = $1 AND grader_digest = $2', [assignmentId, graderDigest]);
        for (const s of checked) {
          await client.query('INSERT INTO grader_samples (assignment_id, grader_digest, name, expected_verdict, files_json) VALUES ($1, $2, $3, $4, $5)',
            [assignmentId, graderDigest, s.name, s.expectedVerdict, JSON.stringify(s.files)]);
        }
      });
    },

    listGraderSamples: (assignmentId, graderDigest) => samplesOf(pool, assignmentId, graderDigest),

    async startSelfTest(assignmentId, requestedBy, requestId) {
      const assignment = await requireAssignmentId(pool, assignmentId);
      checkText('requested by', requestedBy, 300);
      const samples = await samplesOf(pool, assignment.id, assignment.graderDigest);
      const inputs = samples.map((sample) => ({
        courseId: assignment.courseId, assignmentId: assignment.id, student: `self-test:${sample.name}`, files: sample.files, purpose: 'self_test' as const, requestId,
      }));
      const checked = await Promise.all(inputs.map((input) => checkSubmission(context, input)));
      return writeTransaction(pool, async (client) => {
        const id = newResourceId('st');
        await client.query('INSERT INTO self_tests (id, assignment_id, grader_digest, requested_by, created_at) VALUES ($1, $2, $3, $4, $5)',
          [id, assignment.id, assignment.graderDigest, requestedBy, now()]);
        for (const [i, sample] of samples.entries()) {
          const { submission } = await insertCheckedSubmission(context, client, inputs[i]!, checked[i]!);
          await client.query('INSERT INTO self_test_cases (self_test_id, name, expected_verdict, submission_id) VALUES ($1, $2, $3, $4)',
            [id, sample.name, sample.expectedVerdict, submission.id]);
        }
        return selfTestOf(client, (await row<SelfTestRow>(client, 'SELECT * FROM self_tests WHERE id = $1', [id]))!);
      });
    },

    async latestSelfTest(assignmentId) {
      const found = await row<SelfTestRow>(pool, 'SELECT * FROM self_tests WHERE assignment_id = $1 ORDER BY created_at DESC, id COLLATE "C" DESC LIMIT 1', [assignmentId]);
      return found ? selfTestOf(pool, found) : null;
    },
  } satisfies Partial<StoreOperations>;
}
