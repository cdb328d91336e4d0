// Where a submission is on its way: what the store records and the API shows.

export const SUBMISSION_STATUSES = ['queued', 'running', 'graded', 'error'] as const;
export type SubmissionStatus = (typeof SUBMISSION_STATUSES)[number];
