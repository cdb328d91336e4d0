// The service's limits on what one course key may do (defaults and their documentation: services/common/config.ts).

export interface ApiLimits {
  /** Uploads per course key per minute (429 beyond). */
  uploadsPerMinute: number;
  /** Regrades per course key per minute (429 beyond). */
  regradesPerMinute: number;
  /** Event streams one course key may hold open at once in this process (429 beyond). */
  streamsPerKey: number;
  /** An event stream ends after this long, s; the client resumes with Last-Event-ID. */
  streamMaxSeconds: number;
}
