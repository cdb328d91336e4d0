// The store of record: what the API keeps (courses, keys, assignments, submissions, results, the
// outbox, events, incidents, blobs), as an interface a SQLite or a PostgreSQL store can provide.
import type { Readable } from 'node:stream';

import type { SubmissionStatus } from '../protocol/submission-status.js';
import type { InboundReceipt, WebhookStore } from './webhook-store.js';

// The store's backends name a submission's status through this interface.
export { SUBMISSION_STATUSES, type SubmissionStatus } from '../protocol/submission-status.js';

/** Why a grading was requested: the first grading of a submission, or a later one. */
export type GradeKind = 'grade' | 'regrade';

/** Event types of a submission's progress, in the order a client sees them. */
export type EventType = 'queued' | 'running' | 'test' | 'graded' | 'error';
export const EVENT_TYPES: readonly EventType[] = ['queued', 'running', 'test', 'graded', 'error'];

export interface Course {
  /** A slug such as `cs101`: lowercase letters, digits and `-`. */
  id: string;
  name: string;
  createdAt: string;
}

/** An API key as listed: never its secret. */
export interface ApiKeyInfo {
  id: string;
  courseId: string;
  label: string | null;
  /** The first characters of the secret, enough to recognise a key in a listing. */
  prefix: string;
  createdAt: string;
  revokedAt: string | null;
}

export interface CreatedApiKey {
  key: ApiKeyInfo;
  /** The whole secret; shown once, never stored (only its hash is). */
  secret: string;
}

export interface KeyIdentity {
  keyId: string;
  courseId: string;
}

export interface Assignment {
  id: number;
  courseId: string;
  /** Unique within the course. */
  name: string;
  /** The folder its grader was snapshotted from (absolute): for people, nothing reads it again. */
  graderDir: string;
  /** sha256 (hex) of the grader, as `loadGrader(dir).digest` computes it; its snapshot is stored under it. */
  graderDigest: string;
  /** When the assignment is due (ISO-8601, UTC); `after_due_date` feedback is withheld until then. Null: no due date (withheld). */
  dueAt: string | null;
  /** When its feedback was released; `after_published` feedback is withheld until then. Null: not released. */
  feedbackReleasedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A change to when an assignment's withheld feedback is shown; a field left out stays as it is. */
export interface FeedbackScheduleChange {
  /** An ISO-8601 time with its zone (`2026-05-01T23:59:00+02:00`), or null for no due date. */
  dueAt?: string | null;
  /** true: release the `after_published` feedback now (kept if released before); false: withhold it again. */
  released?: boolean;
}

/** A file of a grader snapshot: its path in the grader folder, and what it holds. */
export interface GraderFile {
  path: string;
  sha256: string;
  size: number;
}

/** What a grader snapshot holds, to tell what changed when its assignment is added again. */
export interface GraderManifest {
  /** Test names, in order (none in harness mode: its tests come from the harness's results). */
  tests: string[];
  /** grader.yaml and every file it names, sorted by path. */
  files: GraderFile[];
  /** What a submission must hold to be graded at all (the API refuses an upload without it); absent in snapshots made before. */
  submissions?: SubmissionRule;
}

/** What every submission to a grader must hold: a source file of its language, and its entry file if it names one. */
export interface SubmissionRule {
  language: string;
  /** The language's source extensions (`.py`); a source file is at the top of the submission. */
  extensions: string[];
  /** The grader's entry file, which every submission must have; null: none. */
  entry: string | null;
}

/** A grader as `gradebox assignments add` froze it: a tar of grader.yaml and the files it names. */
export interface NewGraderSnapshot {
  /** The grader's digest: workers check the unpacked tar against it. */
  digest: string;
  tar: Buffer;
  manifest: GraderManifest;
}

export interface GraderSnapshot {
  digest: string;
  /** The blob holding the tar. */
  blobSha256: string;
  size: number;
  manifest: GraderManifest;
  createdAt: string;
}

/** One file of a submission: its relative path and the blob holding its bytes. */
export interface SubmissionFile {
  path: string;
  sha256: string;
  size: number;
}

/** A file of a new submission: its blob stored with putBlob before, or its (small) content given here. */
export interface NewSubmissionFile extends SubmissionFile {
  /** The bytes, stored with the submission in its one transaction; must match sha256 and size. */
  content?: Buffer;
}

export interface NewSubmission {
  courseId: string;
  assignmentId: number;
  student: string;
  files: NewSubmissionFile[];
  /** A client's key for retries: the same key in the same course gives the same submission. */
  idempotencyKey?: string;
  /** The file the program starts from (the upload's `entry`): one of `files`' paths. */
  entry?: string;
}

export interface Submission {
  /** `sub_` and 22 URL-safe characters (128 random bits). */
  id: string;
  courseId: string;
  assignmentId: number;
  assignmentName: string;
  student: string;
  status: SubmissionStatus;
  /** The latest grading requested: 1 for the first, 2 after the first regrade, … */
  gradeNumber: number;
  /** Attempts started for `gradeNumber` (retries after internal failures count). */
  attempts: number;
  fileCount: number;
  totalBytes: number;
  /** The file the program starts from, as the upload named it; null: none named. */
  entry: string | null;
  createdAt: string;
  updatedAt: string;
  /** Why the latest grading failed for good (status `error`), else null: the detail, for operators. */
  error: string | null;
  /** The code of the user error that failed it (e.g. `E_SUBMISSION_NO_SOURCE`); null for an internal failure. */
  errorCode: string | null;
  /** The newest stored result (it may belong to an earlier grading while a regrade is queued). */
  result: Record<string, unknown> | null;
  /** The grading `result` came from, or null. */
  resultGradeNumber: number | null;
}

export interface CreatedSubmission {
  submission: Submission;
  /** False when the idempotency key was used before: `submission` is the earlier one. */
  created: boolean;
}

export interface SubmissionQuery {
  courseId: string;
  assignmentId?: number;
  student?: string;
  /** @defaultValue 100 */
  limit?: number;
}

/** A grading request not yet handed to the queue. */
export interface OutboxRow {
  id: number;
  submissionId: string;
  kind: GradeKind;
  gradeNumber: number;
  createdAt: string;
  /** For the job payload: the submission's course. */
  courseId: string;
  /** For the job payload: the assignment's grader as it is now (a regrade uses the current grader). */
  graderDigest: string;
  /** For the job payload: the submission's entry file, or null. */
  entry: string | null;
}

/** Who tries a grading: the worker, and which of the job's tries this is (1 for the first). */
export interface AttemptBy {
  workerId: string;
  attempt: number;
}

export interface AttemptOutcome {
  /** False when that grading already has its outcome (a late start), or this try was counted already: nothing changed. */
  started: boolean;
  /** The number of this attempt of that grading (1 for the first); 0 when not started. */
  attempt: number;
}

/** The columns of a result that are kept apart from its JSON, for counting and listing. */
export interface ResultSummary {
  verdict: string;
  score: number;
  maxScore: number;
  /** False when the sandbox failed (the grade is not the student's). */
  gradable: boolean;
  /** Incidents of this grading, stored in the same transaction (so exactly once). */
  incidents?: IncidentInput[];
  /**
   * The try this result comes from, when its start may not be recorded on its own (a grading that
   * ended quickly reports its start with its result): the attempt and its `running` event are
   * stored with the result, in the same transaction, unless that try was counted already.
   */
  startedBy?: AttemptBy;
}

/** How one grading of a submission ended: its result, or its failure. */
export interface GradingOutcome {
  gradeNumber: number;
  outcome: 'graded' | 'error';
  /** The whole result as the worker made it (operator-only fields included); null for a failure. */
  result: Record<string, unknown> | null;
  /** Why it failed (the detail, for operators); null for a result. */
  error: string | null;
  createdAt: string;
}

export interface Recorded {
  /** False when that grading already had its outcome: the first one is kept. */
  stored: boolean;
}

/** An incident as the worker reports it, within one grading. */
export interface IncidentInput {
  syscall: string;
  /** The blob holding the evidence archive, or null when none could be kept. */
  evidenceSha256: string | null;
  /** Where the evidence was on the worker host (for operators). */
  evidencePath: string | null;
  /** The whole incident record. */
  record: object;
}

export interface NewIncident extends IncidentInput {
  submissionId: string;
  gradeNumber: number;
}

export interface Incident extends NewIncident {
  id: number;
  courseId: string;
  record: Record<string, unknown>;
  createdAt: string;
}

export interface IncidentQuery {
  courseId?: string;
  submissionId?: string;
  /** @defaultValue 100 */
  limit?: number;
}

export interface StoreEvent {
  submissionId: string;
  /** 1, 2, 3 … per submission: the SSE event id. */
  seq: number;
  type: EventType;
  data: Record<string, unknown>;
  createdAt: string;
}

/** A blob's content: a file path (a link is refused), bytes, or a stream. */
export type BlobSource = string | Buffer | Readable;

/** Where a stored blob's bytes are: small ones come whole from the database, others are files. */
export type BlobContent = { size: number; content: Buffer; path?: undefined } | { size: number; path: string; content?: undefined };

export interface StoredBlob {
  sha256: string;
  size: number;
  /** False when the same content was stored before. */
  created: boolean;
}

export interface Store extends WebhookStore {
  /** Bytes of the largest result, incident record or event kept, as JSON (for callers that cap what they accept). */
  readonly maxJsonBytes: number;

  createCourse(id: string, name?: string): Promise<Course>;
  getCourse(id: string): Promise<Course | null>;
  listCourses(): Promise<Course[]>;

  createApiKey(courseId: string, label?: string): Promise<CreatedApiKey>;
  /** The key's identity, or null for an unknown, revoked or malformed secret. */
  authenticateKey(secret: string): Promise<KeyIdentity | null>;
  revokeKey(keyId: string): Promise<void>;
  listApiKeys(courseId: string): Promise<ApiKeyInfo[]>;

  /**
   * Adds an assignment, or points an existing one (same course and name, same id) at a new grader.
   * The grader's snapshot must be stored already ({@link addGraderSnapshot}): gradings never read `graderDir`.
   */
  addAssignment(courseId: string, name: string, graderDir: string, graderDigest: string): Promise<Assignment>;
  findAssignment(courseId: string, name: string): Promise<Assignment | null>;
  listAssignments(courseId: string): Promise<Assignment[]>;
  /** Sets the due date and/or the release of an assignment's feedback (nothing is regraded). */
  setFeedbackSchedule(courseId: string, name: string, change: FeedbackScheduleChange): Promise<Assignment>;

  /** Keeps a grader's snapshot under its digest (its tar as a blob); the same digest again keeps the first. */
  addGraderSnapshot(snapshot: NewGraderSnapshot): Promise<GraderSnapshot>;
  /** A stored snapshot by grader digest (also of a grader no assignment uses any more: jobs queued before still name it). */
  findGraderSnapshot(graderDigest: string): Promise<GraderSnapshot | null>;

  /** Stores content once by its sha256; with `expectedSha256`, other content is refused. */
  putBlob(source: BlobSource, expectedSha256?: string): Promise<StoredBlob>;
  /** A stored blob's bytes (kept in the database, or a file's path), or null when it is not stored. */
  getBlob(sha256: string): Promise<BlobContent | null>;

  /** Stores a submission, its files and its first grading request (outbox row, `queued` event) at once. */
  createSubmission(input: NewSubmission): Promise<CreatedSubmission>;
  getSubmission(id: string): Promise<Submission | null>;
  listSubmissions(query: SubmissionQuery): Promise<Submission[]>;
  listSubmissionFiles(id: string): Promise<SubmissionFile[]>;
  /** Requests one more grading: next grade number, an outbox row, status `queued`. */
  requestRegrade(id: string): Promise<Submission>;
  /** createSubmission once per inbound webhook: the same receipt again answers the first submission (created false). */
  createInboundSubmission(receipt: InboundReceipt, input: NewSubmission): Promise<CreatedSubmission>;
  /** requestRegrade once per inbound webhook: the same receipt again changes nothing (created false). */
  requestInboundRegrade(receipt: InboundReceipt, submissionId: string): Promise<CreatedSubmission>;

  /** Grading requests not yet dispatched (claimed or not), oldest first. */
  pendingOutbox(limit: number): Promise<OutboxRow[]>;
  /**
   * Claims for `leaseMs` up to `limit` grading requests that no relay holds (or whose claim has
   * expired), oldest first: the relays of several API processes share one outbox, and each request
   * is handed to the queue by one of them (or again by another once a dead relay's claim expires).
   */
  claimOutbox(limit: number, leaseMs: number): Promise<OutboxRow[]>;
  /** Gives claimed requests back (the queue could not take them): the next round of any relay takes them. */
  releaseOutbox(ids: number[]): Promise<void>;
  markOutboxDispatched(id: number): Promise<void>;

  /** Counts a try at a grading once, however often its start is reported. */
  startAttempt(submissionId: string, gradeNumber: number, by: AttemptBy): Promise<AttemptOutcome>;
  recordResult(submissionId: string, gradeNumber: number, result: object, summary: ResultSummary): Promise<Recorded>;
  /**
   * The grading failed for good: status `error`. `code` is that of the user error that caused it
   * (the submission's or the grader's fault); none for an internal failure.
   */
  recordFailure(submissionId: string, gradeNumber: number, message: string, code?: string): Promise<Recorded>;
  /** Every grading of the submission that has ended, oldest first. */
  listGradings(submissionId: string): Promise<GradingOutcome[]>;

  addIncident(incident: NewIncident): Promise<Incident>;
  /** Newest first. */
  listIncidents(query: IncidentQuery): Promise<Incident[]>;

  appendEvent(submissionId: string, type: EventType, data: object): Promise<StoreEvent>;
  /** Events after `afterSeq`, in order. */
  listEvents(submissionId: string, afterSeq?: number, limit?: number): Promise<StoreEvent[]>;

  countSubmissionsByStatus(): Promise<Record<SubmissionStatus, number>>;
  /** Each submission's newest result, counted by verdict. */
  countResultsByVerdict(): Promise<Record<string, number>>;

  /** Resolves when the store answers (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
