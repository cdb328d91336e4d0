// The store's part of LTI 1.3: the platforms gradebox is registered with (and their deployments),
// gradebox's own signing keys, login states and seen nonces, the LMS courses and resource links
// mapped onto courses and assignments, LTI users with their roles, launch sessions, and the score
// deliveries (grade passback) written in the transaction of the event they report. `Store` extends this.

/** A platform registration, keyed by (issuer, client id). */
export interface LtiPlatform {
  id: number;
  issuer: string;
  /** The client id the platform gave gradebox: the `aud` of its id tokens. */
  clientId: string;
  /** OIDC authorization endpoint (the login redirects there). */
  authUrl: string;
  /** OAuth 2 token endpoint (client credentials for AGS and NRPS). */
  tokenUrl: string;
  /** The platform's public keys. */
  jwksUrl: string;
  /** Deployment ids a launch may carry. */
  deploymentIds: string[];
  createdAt: string;
}

export interface NewLtiPlatform {
  issuer: string;
  clientId: string;
  deploymentId: string;
  authUrl: string;
  tokenUrl: string;
  jwksUrl: string;
}

/** One of gradebox's RS256 key pairs, as JWK JSON. */
export interface LtiKey {
  kid: string;
  privateJwk: string;
  publicJwk: string;
  createdAt: string;
}

/** What the login stored for the launch that follows it (single use, until `expiresAt`). */
export interface LtiLoginState {
  state: string;
  nonce: string;
  platformId: number;
  expiresAt: string;
}

/** An LMS course (context) mapped onto a gradebox course, with the services its launches named. */
export interface LtiContext {
  platformId: number;
  contextId: string;
  courseId: string;
  title: string | null;
  /** AGS line items container of the context, when a launch named it. */
  lineitemsUrl: string | null;
  /** NRPS memberships URL of the context, when a launch named it. */
  membershipsUrl: string | null;
}

/** A placement of gradebox in an LMS course, mapped onto an assignment once known. */
export interface LtiResourceLink {
  platformId: number;
  resourceLinkId: string;
  contextId: string;
  courseId: string;
  assignmentId: number | null;
  title: string | null;
  /** The AGS line item scores go to (from the launch, or found/created through the line items container). */
  lineitemUrl: string | null;
}

/** Who someone is in a launch, by the roles the platform gave them. */
export type LtiRole = 'instructor' | 'ta' | 'learner';

export interface LtiUser {
  platformId: number;
  sub: string;
  name: string | null;
  email: string | null;
  /** The platform's role URIs as sent. */
  roles: string[];
}

/** A learner of an assignment known by their `sub`: their submissions' grades go to this resource link. */
export interface LtiLearnerLink {
  courseId: string;
  assignmentId: number;
  /** The submission's `student`: the learner's `sub`. */
  student: string;
  platformId: number;
  resourceLinkId: string;
}

/** A deep-linking request being answered: where the answer goes back. */
export interface LtiDeepLinkRequest {
  returnUrl: string;
  /** The platform's opaque `data`, returned unchanged. */
  data: string | null;
  deploymentId: string;
}

/** What a launch allows its browser page to do for a while, without any cookie. */
export interface LtiLaunchSession {
  platformId: number;
  sub: string;
  role: LtiRole;
  courseId: string;
  contextId: string;
  resourceLinkId: string | null;
  assignmentId: number | null;
  deepLink: LtiDeepLinkRequest | null;
  expiresAt: string;
}

/** What an id token says of a person, when it says it. */
export interface LtiPerson {
  name: string | null;
  email: string | null;
}

/** A staff launch's way into the dashboard: who signs in, and which page opens. */
export interface LtiHandoff {
  userId: string;
  courseId: string;
  assignmentId: number | null;
  expiresAt: string;
}

export type LtiScoreKind = 'pending' | 'graded' | 'failed';
export type LtiDeliveryState = 'pending' | 'delivered' | 'failed' | 'superseded';

/** A score to pass back: which grading, to whom, when it became what it is (sent unchanged on every retry). */
export interface LtiScoreDelivery {
  id: number;
  courseId: string;
  assignmentId: number;
  student: string;
  submissionId: string;
  gradeNumber: number;
  kind: LtiScoreKind;
  platformId: number;
  resourceLinkId: string;
  /** The Score's timestamp, fixed when the delivery was written. */
  timestamp: string;
  state: LtiDeliveryState;
  attempts: number;
  nextAttemptAt: string;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
}

/** How an attempt ended: the delivery's new state, and when to try again if it stays pending. */
export interface LtiAttemptRecord {
  state: LtiDeliveryState;
  status: number | null;
  error: string | null;
  /** For a delivery that stays pending. */
  nextAttemptAt?: string;
  /**
   * Delivered as PendingManual (the score withheld from students), as judged at this time: releasing
   * the feedback sends it again, and so does a release that came between the judging and the record.
   */
  withheldAsOf?: string;
}

export interface LtiStore {
  /** Registers a platform, or updates its URLs and adds the deployment when (issuer, client id) is known. */
  addLtiPlatform(platform: NewLtiPlatform): Promise<LtiPlatform>;
  listLtiPlatforms(): Promise<LtiPlatform[]>;
  getLtiPlatform(id: number): Promise<LtiPlatform | null>;
  /** By issuer (and client id when given); a UserError when the issuer has several and none is named. */
  findLtiPlatform(issuer: string, clientId?: string): Promise<LtiPlatform | null>;

  /** Keeps a new key pair as the current one; keys beyond the newest `keep` are retired (no longer published). */
  addLtiKey(key: Omit<LtiKey, 'createdAt'>, keep: number): Promise<LtiKey>;
  /** Published keys, newest (the signing one) first. */
  listLtiKeys(): Promise<LtiKey[]>;

  saveLtiLoginState(state: LtiLoginState): Promise<void>;
  /** The state, removed (single use); null when unknown or expired. */
  takeLtiLoginState(state: string): Promise<LtiLoginState | null>;
  /** Remembers a nonce of an id token until `expiresAt`; false when it was seen already (a replay). */
  recordLtiNonce(platformId: number, nonce: string, expiresAt: string): Promise<boolean>;

  /** Maps an LMS context onto a course (again: the course changes). */
  linkLtiContext(platformId: number, contextId: string, courseId: string, title?: string | null): Promise<LtiContext>;
  findLtiContext(platformId: number, contextId: string): Promise<LtiContext | null>;
  /** Keeps the service URLs a launch named for the context (null leaves one as it is). */
  setLtiContextServices(platformId: number, contextId: string, lineitemsUrl: string | null, membershipsUrl: string | null): Promise<void>;

  /** Adds or updates a resource link; an assignment or line item given replaces the kept one, null keeps it. */
  saveLtiResourceLink(link: LtiResourceLink): Promise<LtiResourceLink>;
  findLtiResourceLink(platformId: number, resourceLinkId: string): Promise<LtiResourceLink | null>;
  /** Resource links of a context that map to an assignment. */
  listLtiResourceLinks(platformId: number, contextId: string): Promise<LtiResourceLink[]>;

  saveLtiUser(user: LtiUser): Promise<void>;
  /** The learner's submissions to that assignment pass back to that resource link from now on. */
  linkLtiLearner(link: LtiLearnerLink): Promise<void>;

  /** Keeps a launch session; returns its bearer token (only its hash is kept). */
  createLtiLaunch(session: LtiLaunchSession): Promise<string>;
  /** The session of a token, or null when unknown or expired. */
  findLtiLaunch(token: string): Promise<LtiLaunchSession | null>;

  /** Pending deliveries due at `now`, leased for `leaseMs` (another process skips them meanwhile). */
  claimLtiScoreDeliveries(now: string, limit: number, leaseMs: number): Promise<LtiScoreDelivery[]>;
  /** Ends an attempt: counts it and keeps its outcome. */
  recordLtiScoreAttempt(id: number, record: LtiAttemptRecord): Promise<void>;
  /**
   * Scores sent withheld (PendingManual) before their assignment's due date, which has now passed
   * (`now`), are written again for delivery, as a release writes them; how many.
   */
  resendLtiScoresPastDue(now: string): Promise<number>;
  /** Whether a later grading of the same learner and assignment was already delivered (a later timestamp, or the same one written after). */
  ltiScoreSuperseded(delivery: LtiScoreDelivery): Promise<boolean>;
  /** Deliveries of a course, newest first (the instructor's view of passback). */
  listLtiScoreDeliveries(courseId: string, limit?: number): Promise<LtiScoreDelivery[]>;
}
