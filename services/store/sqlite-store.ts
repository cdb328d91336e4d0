// The Store on SQLite (better-sqlite3): synchronous underneath, Promises outside so a PostgreSQL
// store can take its place; SQLite's own errors are turned into gradebox errors on the way out.
import type { BlobStore } from './blob-store.js';
import { SqliteApiKeys } from './sqlite-api-keys.js';
import { SqliteAssignments } from './sqlite-assignments.js';
import { SqliteBlobContents } from './sqlite-blob-contents.js';
import type { SqliteDatabase } from './sqlite-connection.js';
import { countResultsByVerdict, countSubmissionsByStatus } from './sqlite-counts.js';
import { SqliteCourses } from './sqlite-courses.js';
import { translateSqliteError } from './sqlite-errors.js';
import { SqliteEvents } from './sqlite-events.js';
import { SqliteGraderSnapshots } from './sqlite-grader-snapshots.js';
import { SqliteGrading } from './sqlite-grading.js';
import { SqliteIncidents } from './sqlite-incidents.js';
import { SqliteOutbox } from './sqlite-outbox.js';
import { SqliteSubmissions } from './sqlite-submissions.js';
import type {
  ApiKeyInfo, Assignment, AttemptBy, AttemptOutcome, BlobContent, BlobSource, Course, CreatedApiKey, CreatedSubmission, EventType, FeedbackScheduleChange,
  GraderSnapshot, GradingOutcome, Incident, IncidentQuery, KeyIdentity, NewGraderSnapshot, NewIncident, NewSubmission, OutboxRow, Recorded, ResultSummary,
  Store, StoreEvent, StoredBlob, Submission,
  SubmissionFile, SubmissionQuery, SubmissionStatus,
} from './store.js';
import type { StoreOptions } from './store-options.js';

export class SqliteStore implements Store {
  private readonly courses: SqliteCourses;
  private readonly keys: SqliteApiKeys;
  private readonly assignments: SqliteAssignments;
  private readonly snapshots: SqliteGraderSnapshots;
  private readonly outbox: SqliteOutbox;
  private readonly events: SqliteEvents;
  private readonly incidents: SqliteIncidents;
  private readonly submissions: SqliteSubmissions;
  private readonly grading: SqliteGrading;
  private readonly blobContents: SqliteBlobContents;
  readonly maxJsonBytes: number;

  /** Use `openStore()`: it creates the folders and migrates the database first. */
  constructor(
    private readonly db: SqliteDatabase,
    /** The database file, named in error messages. */
    readonly file: string,
    private readonly blobs: BlobStore,
    options: StoreOptions,
  ) {
    this.maxJsonBytes = options.maxJsonBytes;
    this.courses = new SqliteCourses(db);
    this.keys = new SqliteApiKeys(db, this.courses);
    this.snapshots = new SqliteGraderSnapshots(db);
    this.assignments = new SqliteAssignments(db, this.courses, this.snapshots);
    this.outbox = new SqliteOutbox(db);
    this.events = new SqliteEvents(db, options.maxJsonBytes);
    this.incidents = new SqliteIncidents(db, options.maxJsonBytes);
    this.blobContents = new SqliteBlobContents(db);
    this.submissions = new SqliteSubmissions(db, this.assignments, this.outbox, this.events, this.blobContents,
      { maxFiles: options.maxFilesPerSubmission, maxTotalBytes: options.maxSubmissionBytes });
    this.grading = new SqliteGrading(db, this.events, this.incidents, options.maxJsonBytes);
  }

  createCourse(id: string, name?: string): Promise<Course> { return this.guard(() => this.courses.create(id, name)); }
  getCourse(id: string): Promise<Course | null> { return this.guard(() => this.courses.get(id)); }
  listCourses(): Promise<Course[]> { return this.guard(() => this.courses.list()); }

  createApiKey(courseId: string, label?: string): Promise<CreatedApiKey> { return this.guard(() => this.keys.create(courseId, label)); }
  authenticateKey(secret: string): Promise<KeyIdentity | null> { return this.guard(() => this.keys.authenticate(secret)); }
  revokeKey(keyId: string): Promise<void> { return this.guard(() => this.keys.revoke(keyId)); }
  listApiKeys(courseId: string): Promise<ApiKeyInfo[]> { return this.guard(() => this.keys.list(courseId)); }

  addAssignment(courseId: string, name: string, graderDir: string, graderDigest: string): Promise<Assignment> {
    return this.guard(() => this.assignments.add(courseId, name, graderDir, graderDigest));
  }
  findAssignment(courseId: string, name: string): Promise<Assignment | null> { return this.guard(() => this.assignments.find(courseId, name)); }
  listAssignments(courseId: string): Promise<Assignment[]> { return this.guard(() => this.assignments.list(courseId)); }
  setFeedbackSchedule(courseId: string, name: string, change: FeedbackScheduleChange): Promise<Assignment> {
    return this.guard(() => this.assignments.setFeedbackSchedule(courseId, name, change));
  }

  async addGraderSnapshot(snapshot: NewGraderSnapshot): Promise<GraderSnapshot> {
    await this.guard(() => this.snapshots.check(snapshot));
    const blob = await this.blobs.put(snapshot.tar);
    return this.guard(() => this.snapshots.record(snapshot, blob));
  }
  findGraderSnapshot(graderDigest: string): Promise<GraderSnapshot | null> { return this.guard(() => this.snapshots.find(graderDigest)); }

  putBlob(source: BlobSource, expectedSha256?: string): Promise<StoredBlob> { return this.blobs.put(source, expectedSha256); }
  getBlob(sha256: string): Promise<BlobContent | null> {
    return this.guard(() => {
      const content = this.blobContents.get(sha256);
      // A malformed digest is refused by find(), before it becomes a path.
      return content ? { size: content.length, content } : this.blobs.find(sha256);
    });
  }

  createSubmission(input: NewSubmission): Promise<CreatedSubmission> {
    return this.guard(() => this.submissions.create(input, (sha256) => this.blobContents.sizeOf(sha256) ?? this.blobs.sizeOf(sha256)));
  }
  getSubmission(id: string): Promise<Submission | null> { return this.guard(() => this.submissions.get(id)); }
  listSubmissions(query: SubmissionQuery): Promise<Submission[]> { return this.guard(() => this.submissions.list(query)); }
  listSubmissionFiles(id: string): Promise<SubmissionFile[]> { return this.guard(() => this.submissions.files(id)); }
  requestRegrade(id: string): Promise<Submission> { return this.guard(() => this.submissions.regrade(id)); }

  pendingOutbox(limit: number): Promise<OutboxRow[]> { return this.guard(() => this.outbox.pending(limit)); }
  markOutboxDispatched(id: number): Promise<void> { return this.guard(() => this.outbox.markDispatched(id)); }

  startAttempt(submissionId: string, gradeNumber: number, by: AttemptBy): Promise<AttemptOutcome> {
    return this.guard(() => this.grading.startAttempt(submissionId, gradeNumber, by));
  }
  recordResult(submissionId: string, gradeNumber: number, result: object, summary: ResultSummary): Promise<Recorded> {
    return this.guard(() => this.grading.recordResult(submissionId, gradeNumber, result, summary));
  }
  recordFailure(submissionId: string, gradeNumber: number, message: string, code?: string): Promise<Recorded> {
    return this.guard(() => this.grading.recordFailure(submissionId, gradeNumber, message, code));
  }
  listGradings(submissionId: string): Promise<GradingOutcome[]> { return this.guard(() => this.grading.listGradings(submissionId)); }

  addIncident(incident: NewIncident): Promise<Incident> { return this.guard(() => this.incidents.add(incident)); }
  listIncidents(query: IncidentQuery): Promise<Incident[]> { return this.guard(() => this.incidents.list(query)); }

  appendEvent(submissionId: string, type: EventType, data: object): Promise<StoreEvent> { return this.guard(() => this.events.append(submissionId, type, data)); }
  listEvents(submissionId: string, afterSeq?: number, limit?: number): Promise<StoreEvent[]> {
    return this.guard(() => this.events.list(submissionId, afterSeq, limit));
  }

  countSubmissionsByStatus(): Promise<Record<SubmissionStatus, number>> { return this.guard(() => countSubmissionsByStatus(this.db)); }
  countResultsByVerdict(): Promise<Record<string, number>> { return this.guard(() => countResultsByVerdict(this.db)); }

  ping(): Promise<void> { return this.guard(() => { this.db.prepare('SELECT 1').get(); }); }

  /** Closes the connection (again is fine). */
  close(): Promise<void> {
    return this.guard(() => { if (this.db.open) this.db.close(); });
  }

  private guard<T>(work: () => T): Promise<T> {
    try {
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(translateSqliteError(error, this.file));
    }
  }
}
