// The ids that travel between the portals, the API, the queue and the workers: what each looks
// like, and how a new submission id is made.
import { randomBytes } from 'node:crypto';

import { z } from 'zod';

/**
 * Ids in a grading job travel in URLs, Redis keys and folder names, so they are plain: letters,
 * digits, `_` and `-` (no `.` or `/`, so no path tricks, and no `:`, which BullMQ reserves in job ids).
 */
export const plainId = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'must be 1 to 128 letters, digits, "_" or "-"');

/** Which grading of a submission: 1 for the first, 2 for its first regrade, … */
export const gradeNumber = z.int().min(1).max(1_000_000_000);

/** `sub_` and 22 base64url characters: 16 random bytes (see {@link newSubmissionId}). */
export const submissionId = z.string().regex(/^sub_[A-Za-z0-9_-]{22}$/, 'must be a submission id: "sub_" and 22 letters, digits, "_" or "-"');

/** `sub_` and 16 random bytes (128 bits) in base64url: a submission's URL is its capability. */
export function newSubmissionId(): string {
  return `sub_${randomBytes(16).toString('base64url')}`;
}

/** Whether `id` could be a submission id (anything else is looked up as "not found" without a query). */
export function isSubmissionId(id: unknown): id is string {
  return submissionId.safeParse(id).success;
}

/** A course: a slug, as in its keys (`gbx_<course>_…`). */
export const courseId = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/, 'must be 1 to 40 lowercase letters, digits and inner "-"');

/** An assignment, named within its course (the portal's `assignment` field and its URL). */
export const assignmentName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'must be 1 to 100 letters, digits, ".", "_" or "-", starting with a letter or digit');
