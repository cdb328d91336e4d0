// The flags that set when an assignment's withheld feedback is shown: --due ISO8601 | --no-due,
// --release | --unrelease; checked before anything is stored.
import { UsageError, UserError } from '../common/errors.js';
import { checkIsoTime } from '../store/input-checks.js';
import type { Assignment, FeedbackScheduleChange } from '../store/store.js';

export const SCHEDULE_FLAGS = {
  due: { type: 'string' }, 'no-due': { type: 'boolean' }, release: { type: 'boolean' }, unrelease: { type: 'boolean' },
} as const;

export interface ScheduleFlagValues {
  due?: string | undefined;
  'no-due'?: boolean | undefined;
  release?: boolean | undefined;
  unrelease?: boolean | undefined;
}

function dueFrom(values: ScheduleFlagValues): string | null | undefined {
  if (values.due !== undefined && values['no-due']) throw new UsageError('give --due ISO8601 or --no-due, not both');
  if (values['no-due']) return null;
  if (values.due === undefined) return undefined;
  try {
    return checkIsoTime('--due', values.due);
  } catch (error) {
    throw error instanceof UserError ? new UsageError(error.message) : error;
  }
}

/** The change the flags ask for; empty when none was given. */
export function scheduleChangeFrom(values: ScheduleFlagValues): FeedbackScheduleChange {
  if (values.release && values.unrelease) throw new UsageError('give --release or --unrelease, not both');
  const dueAt = dueFrom(values);
  const released = values.release ? true : values.unrelease ? false : undefined;
  return { ...(dueAt !== undefined ? { dueAt } : {}), ...(released !== undefined ? { released } : {}) };
}

/** The assignment's schedule, for the CLI's lines. */
export function scheduleText(a: Assignment): string {
  return `due ${a.dueAt ?? 'never'}, feedback ${a.feedbackReleasedAt ? `released ${a.feedbackReleasedAt}` : 'not released'}`;
}
