// How a refused message is explained to its sender: the first problem zod found, naming the field.
import type { z } from 'zod';

/** The first problem of a failed parse, naming the field: `gradeNumber: must be …`. */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const path = issue.path.length ? issue.path.join('.') : '(payload)';
  return `${path}: ${issue.message}`;
}
