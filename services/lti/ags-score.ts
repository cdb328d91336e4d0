// The Score a delivery sends (AGS 2.0, 3.4): for the learner's sub, at the timestamp fixed when the
// delivery was written; scoreGiven and scoreMaximum always together, and only for a final grade. A
// grading in progress is Pending; a grade withheld from students PendingManual; a grading that
// failed (not the student's doing, or the sandbox's failure) Failed, with no score: never a zero.

/**
 * What the API says of a delivery's grading, as a student may see it now. `maximum` is the
 * assignment's most points when a result tells it (a line item made for the link gets it), else null.
 */
export type ScoreFacts = { comment: string; maximum: number | null } & (
  | { kind: 'pending' }
  | { kind: 'graded'; scoreGiven: number; scoreMaximum: number }
  | { kind: 'withheld' }
  | { kind: 'failed' });

export interface ScoreBody {
  userId: string;
  timestamp: string;
  activityProgress: 'Submitted' | 'Completed';
  gradingProgress: 'Pending' | 'PendingManual' | 'FullyGraded' | 'Failed';
  scoreGiven?: number;
  scoreMaximum?: number;
  comment: string;
}

/** Platforms cap comments (Canvas and Moodle keep a few thousand characters). */
const MAX_COMMENT = 1000;

export function scoreBody(userId: string, timestamp: string, facts: ScoreFacts): ScoreBody {
  const comment = facts.comment.slice(0, MAX_COMMENT);
  switch (facts.kind) {
    case 'pending':
      return { userId, timestamp, activityProgress: 'Submitted', gradingProgress: 'Pending', comment };
    case 'graded':
      return { userId, timestamp, activityProgress: 'Completed', gradingProgress: 'FullyGraded', scoreGiven: facts.scoreGiven, scoreMaximum: facts.scoreMaximum, comment };
    case 'withheld':
      return { userId, timestamp, activityProgress: 'Completed', gradingProgress: 'PendingManual', comment };
    case 'failed':
      return { userId, timestamp, activityProgress: 'Completed', gradingProgress: 'Failed', comment };
  }
}
