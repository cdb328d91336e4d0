// The store of record: what the API keeps (courses, keys, assignments, submissions, results, the
// outbox, events, incidents, blobs), as an interface a SQLite or a PostgreSQL store can provide.
import type { Readable } from 'node:stream';

import type { SubmissionStatus } from '../protocol/submission-status.js';
import type { LtiHandoff, LtiPerson, LtiStore } from './lti-store.js';
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
  /** When it was archived (read-only: no uploads); null while open. */
  archivedAt: string | null;
}

/** What a key may do: `portal` the course portal's routes (upload, read its submissions), `staff` the instructor API. */
export type KeyScope = 'portal' | 'staff';
export const KEY_SCOPES: readonly KeyScope[] = ['portal', 'staff'];

export interface NewKeyOptions {
  /** @defaultValue `portal` */
  scope?: KeyScope;
  /** When the key stops working (ISO-8601); null or absent: never. */
  expiresAt?: string | null;
}

/** An API key as listed: never its secret. */
export interface ApiKeyInfo {
  id: string;
  courseId: string;
  label: string | null;
  /** The first characters of the secret, enough to recognise a key in a listing. */
  prefix: string;
  scope: KeyScope;
  createdAt: string;
  revokedAt: string | null;
  /** Null: it does not expire. */
  expiresAt: string | null;
}

export interface CreatedApiKey {
  key: ApiKeyInfo;
  /** The whole secret; shown once, never stored (only its hash is). */
  secret: string;
}

export interface KeyIdentity {
  keyId: string;
  courseId: string;
  scope: KeyScope;
}

/** A course role; an admin (a user flag) may do everything in every course. */
export type CourseRole = 'instructor' | 'ta';
export const COURSE_ROLES: readonly CourseRole[] = ['instructor', 'ta'];

export interface User {
  /** `usr_` and random characters. */
  id: string;
  /** Lowercase; null for a person known only by an identity (an LTI launch). */
  email: string | null;
  name: string | null;
  admin: boolean;
  /** Whether a password is set (its hash never leaves the store but through {@link Store.findUserForSignIn}). */
  hasPassword: boolean;
  createdAt: string;
  disabledAt: string | null;
}

export interface NewUser {
  email: string;
  name?: string | null;
  /** The password's hash (services/access/password-hash.ts), or null: no password yet. */
  passwordHash: string | null;
  admin?: boolean;
}

export interface CourseMember {
  user: User;
  courseId: string;
  role: CourseRole;
  createdAt: string;
}

export interface Session {
  /** Names the session in listings and logs; not a secret. */
  id: string;
  userId: string;
  /** The token forms and requests made with this session must carry (CSRF). */
  csrfToken: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
}

export interface CreatedSession {
  session: Session;
  /** The cookie's value; only its hash is kept. */
  secret: string;
}

export interface SessionTimes {
  /** The session ends this long after it was made, ms. */
  lifetimeMs: number;
  /** The session ends after this long without use, ms. */
  idleMs: number;
}

/** The lifecycle of an assignment: a draft until published (students may upload only then), archived when over. */
export type AssignmentState = 'draft' | 'published' | 'archived';
export const ASSIGNMENT_STATES: readonly AssignmentState[] = ['draft', 'published', 'archived'];

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
  state: AssignmentState;
  createdAt: string;
  updatedAt: string;
}

/** An assignment's submissions counted: each student's newest graded submission by verdict, and submissions by status. */
export interface AssignmentCounts {
  assignmentId: number;
  submissions: number;
  students: number;
  byStatus: Partial<Record<SubmissionStatus, number>>;
  /** Each student's newest graded submission, by verdict. */
  byVerdict: Record<string, number>;
  /** Each student's newest graded submission's score as a fraction of its maximum, in ten bins (0–10 %, …, 90–100 %). */
  scoreHistogram: number[];
}

/** A sample submission an uploaded grader brings, with the verdict it must get (its self-test). */
export interface GraderSample {
  name: string;
  expectedVerdict: string;
  files: SubmissionFile[];
}

export interface SelfTestCase {
  name: string;
  expectedVerdict: string;
  submissionId: string;
  status: SubmissionStatus;
  /** The verdict it got, once graded. */
  verdict: string | null;
}

export interface SelfTest {
  id: string;
  assignmentId: number;
  graderDigest: string;
  requestedBy: string;
  createdAt: string;
  cases: SelfTestCase[];
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
  /** `io`, `harness` or `interactive` (absent in snapshots made before it was kept). */
  mode?: string;
  /** Each test's name, visibility, points and checker, in order, for the staff's pages. */
  testDetails?: Array<{ name: string; visibility: string; points: number; checker: string }>;
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
  /** @defaultValue `student` */
  purpose?: SubmissionPurpose;
  /** The id of the API request that uploads it, kept with its grading request (see OutboxRow). */
  requestId?: string;
}

/** How many of a course's submissions are in one open status. */
export interface OpenSubmissionCount {
  courseId: string;
  status: 'queued' | 'running';
  n: number;
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
  purpose: SubmissionPurpose;
}

export interface CreatedSubmission {
  submission: Submission;
  /** False when the idempotency key was used before: `submission` is the earlier one. */
  created: boolean;
}

/** Who a submission is for: a student's, or one of a grader's samples graded for its self-test. */
export type SubmissionPurpose = 'student' | 'self_test';

/** Submissions newest first; each field left out matches all. */
export interface SubmissionQuery {
  courseId: string;
  assignmentId?: number;
  student?: string;
  status?: SubmissionStatus;
  /** The newest result's overall verdict. */
  verdict?: string;
  /** Made at or after (ISO-8601). */
  since?: string;
  /** Made before (ISO-8601). */
  until?: string;
  /** Only those after this one in the order (newest first): the last of the page before. */
  after?: { createdAt: string; id: string };
  /** @defaultValue `student` */
  purpose?: SubmissionPurpose;
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
  /** For the job payload: the id of the API request that asked for this grading, or null (none given, or queued before ids were kept). */
  requestId: string | null;
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

/** How far the course staff got with an incident. */
export type TriageState = 'new' | 'reviewed' | 'dismissed' | 'escalated';
export const TRIAGE_STATES: readonly TriageState[] = ['new', 'reviewed', 'dismissed', 'escalated'];

export interface Incident extends NewIncident {
  id: number;
  courseId: string;
  record: Record<string, unknown>;
  createdAt: string;
  triage: { state: TriageState; note: string | null; by: string | null; at: string | null };
}

export interface IncidentQuery {
  courseId?: string;
  submissionId?: string;
  state?: TriageState;
  /** Only incidents older than this one (newest first): the last of the page before. */
  beforeId?: number;
  /** @defaultValue 100 */
  limit?: number;
}

export interface TriageChange {
  state: TriageState;
  note?: string | null;
  /** Who triaged it (an actor's name, as the audit trail writes it). */
  by: string;
}

/** A line of the staff audit chain, as stored (its format is the audit log's: services/audit/audit-chain.ts). */
export interface AuditLine {
  seq: number;
  courseId: string | null;
  line: string;
}

/** Which submissions a regrade by filter takes: a course's, narrowed like a submission listing. */
export type RegradeFilter = Omit<SubmissionQuery, 'after' | 'limit' | 'purpose'>;

export interface RegradeBatch {
  id: string;
  courseId: string;
  filter: RegradeFilter;
  requestedBy: string;
  createdAt: string;
  total: number;
  /** Gradings of the batch that have their outcome (graded or failed). */
  done: number;
  /** Of those, failed for good. */
  failed: number;
}

/** Gradings over a recent window, for the queue page. */
export interface GradingStats {
  /** Gradings that ended (graded or failed) since the window's start. */
  finished: number;
  /** From a submission (or regrade) request to its outcome, ms: median and 95th percentile; null when none. */
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
}

/** Submissions waiting or being graded, per course. */
export interface CourseDepth {
  courseId: string;
  queued: number;
  running: number;
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

export interface Store extends WebhookStore, LtiStore {
  /** Bytes of the largest result, incident record or event kept, as JSON (for callers that cap what they accept). */
  readonly maxJsonBytes: number;

  createCourse(id: string, name?: string): Promise<Course>;
  getCourse(id: string): Promise<Course | null>;
  listCourses(): Promise<Course[]>;
  renameCourse(id: string, name: string): Promise<Course>;
  /** Archives (true) or reopens (false) a course. */
  setCourseArchived(id: string, archived: boolean): Promise<Course>;

  createApiKey(courseId: string, label?: string, options?: NewKeyOptions): Promise<CreatedApiKey>;
  /** The key's identity, or null for an unknown, revoked, expired or malformed secret. */
  authenticateKey(secret: string): Promise<KeyIdentity | null>;
  revokeKey(keyId: string): Promise<void>;
  listApiKeys(courseId: string): Promise<ApiKeyInfo[]>;
  getApiKey(keyId: string): Promise<ApiKeyInfo | null>;

  /** A new user; an email already taken is a UserError (E_USER_EXISTS). */
  createUser(user: NewUser): Promise<User>;
  getUser(id: string): Promise<User | null>;
  findUserByEmail(email: string): Promise<User | null>;
  /** The user and its password hash, for a sign-in; null for an unknown or disabled email. */
  findUserForSignIn(email: string): Promise<{ user: User; passwordHash: string | null } | null>;
  listUsers(): Promise<User[]>;
  setPasswordHash(userId: string, passwordHash: string): Promise<void>;
  /** Links an outside identity (an LTI issuer and subject) to a user. */
  addIdentity(issuer: string, subject: string, userId: string): Promise<void>;
  findUserByIdentity(issuer: string, subject: string): Promise<User | null>;
  /** Gives the user this role in the course (replacing the one it had there, and making it no launch's: launches keep it when they give less). */
  setCourseRole(userId: string, courseId: string, role: CourseRole): Promise<CourseMember>;
  /** False when the user had no role there. */
  removeCourseRole(userId: string, courseId: string): Promise<boolean>;
  /** The user's roles, by course. */
  courseRolesOf(userId: string): Promise<Record<string, CourseRole>>;
  listCourseMembers(courseId: string): Promise<CourseMember[]>;

  /**
   * The person of an LTI identity (issuer, sub), made on their first launch with no password (they
   * sign in only through the LMS); the id token's name, and its email when no account has it yet.
   */
  findOrCreateLtiUser(issuer: string, subject: string, person: LtiPerson): Promise<User>;
  /**
   * Gives the role a staff launch carries (account-rows.ts roleAfterLaunch: a stronger role given
   * otherwise is kept; one only launches gave follows the latest); returns the role held after.
   */
  grantLtiCourseRole(userId: string, courseId: string, role: CourseRole): Promise<CourseRole>;
  /** Keeps a handoff from a staff launch into the dashboard; returns its single-use token (only its hash is kept). */
  createLtiHandoff(handoff: LtiHandoff): Promise<string>;
  /** The handoff of a token, used up now; null when unknown, used before or expired. */
  redeemLtiHandoff(token: string): Promise<LtiHandoff | null>;

  createSession(userId: string, times: SessionTimes): Promise<CreatedSession>;
  /** The live session of this secret (its last use noted), or null: unknown, ended, expired, idle too long, or its user disabled. */
  authenticateSession(secret: string, times: SessionTimes): Promise<Session | null>;
  /** Ends the session of this secret (again is fine). */
  endSession(secret: string): Promise<void>;

  /**
   * Adds an assignment, or points an existing one (same course and name, same id) at a new grader.
   * The grader's snapshot must be stored already ({@link addGraderSnapshot}): gradings never read `graderDir`.
   */
  addAssignment(courseId: string, name: string, graderDir: string, graderDigest: string): Promise<Assignment>;
  findAssignment(courseId: string, name: string): Promise<Assignment | null>;
  listAssignments(courseId: string): Promise<Assignment[]>;
  /** Sets the due date and/or the release of an assignment's feedback (nothing is regraded). */
  setFeedbackSchedule(courseId: string, name: string, change: FeedbackScheduleChange): Promise<Assignment>;
  /** Adds a new assignment as a draft (students cannot upload to it until it is published); an existing name is a UserError (E_ASSIGNMENT_EXISTS). */
  addDraftAssignment(courseId: string, name: string, graderDir: string, graderDigest: string): Promise<Assignment>;
  setAssignmentState(courseId: string, name: string, state: AssignmentState): Promise<Assignment>;
  /** Every assignment of the course, counted (student submissions only). */
  countAssignmentSubmissions(courseId: string): Promise<AssignmentCounts[]>;

  /** Keeps an uploaded grader's samples for the assignment (their files' blobs stored before); replaces those kept for that grader. */
  setGraderSamples(assignmentId: number, graderDigest: string, samples: GraderSample[]): Promise<void>;
  listGraderSamples(assignmentId: number, graderDigest: string): Promise<GraderSample[]>;
  /** Grades each sample of the assignment's current grader as a self-test submission, all queued at once. */
  startSelfTest(assignmentId: number, requestedBy: string, requestId?: string): Promise<SelfTest>;
  /** The newest self-test of the assignment, with where each case stands. */
  latestSelfTest(assignmentId: number): Promise<SelfTest | null>;

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
  requestRegrade(id: string, requestId?: string): Promise<Submission>;
  /** Requests one more grading of every submission the filter takes (at most `max`), as one batch whose progress can be read. */
  createRegradeBatch(filter: RegradeFilter, requestedBy: string, max: number, requestId?: string): Promise<RegradeBatch>;
  getRegradeBatch(id: string): Promise<RegradeBatch | null>;
  /** createSubmission once per inbound webhook: the same receipt again answers the first submission (created false). */
  createInboundSubmission(receipt: InboundReceipt, input: NewSubmission): Promise<CreatedSubmission>;
  /** requestRegrade once per inbound webhook: the same receipt again changes nothing (created false). */
  requestInboundRegrade(receipt: InboundReceipt, submissionId: string, requestId?: string): Promise<CreatedSubmission>;

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
  /** A `test` event of a grading in progress; none (null) when that grading has ended or is not the latest. */
  recordProgress(submissionId: string, gradeNumber: number, data: object): Promise<StoreEvent | null>;
  /** Each try's start of the submission's gradings, oldest first. */
  listAttempts(submissionId: string): Promise<Array<{ gradeNumber: number; workerId: string; attempt: number | null; startedAt: string }>>;

  addIncident(incident: NewIncident): Promise<Incident>;
  /** Newest first. */
  listIncidents(query: IncidentQuery): Promise<Incident[]>;
  getIncident(id: number): Promise<Incident | null>;
  setIncidentTriage(id: number, change: TriageChange): Promise<Incident>;

  /**
   * Appends a line to the staff audit chain: `make` gets the last line (null for the first) inside
   * the store's transaction and returns the next one, so two API processes never chain to the same line.
   */
  appendAuditLine(courseId: string | null, make: (last: AuditLine | null) => { seq: number; line: string }): Promise<AuditLine>;
  /** Lines in chain order from after `afterSeq` (for checking the chain). */
  readAuditChain(afterSeq: number, limit: number): Promise<AuditLine[]>;
  /** Lines newest first, of one course when given, older than `beforeSeq` when given. */
  listAuditLines(query: { courseId?: string; beforeSeq?: number; limit?: number }): Promise<AuditLine[]>;

  /** Gradings that ended since `since` (ISO-8601), with their latency. */
  gradingStats(since: string): Promise<GradingStats>;
  /** Submissions queued or running, per course (courses with none left out). */
  queueDepthByCourse(): Promise<CourseDepth[]>;

  appendEvent(submissionId: string, type: EventType, data: object): Promise<StoreEvent>;
  /** Events after `afterSeq`, in order. */
  listEvents(submissionId: string, afterSeq?: number, limit?: number): Promise<StoreEvent[]>;

  countSubmissionsByStatus(): Promise<Record<SubmissionStatus, number>>;
  /** Submissions queued or running, by course (the metrics' queue depth per course). */
  countOpenSubmissionsByCourse(): Promise<OpenSubmissionCount[]>;
  /** Each submission's newest result, counted by verdict. */
  countResultsByVerdict(): Promise<Record<string, number>>;

  /** Resolves when the store answers (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
