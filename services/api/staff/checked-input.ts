// A request's JSON body or query checked against its declared schema (protocol/staff-schemas.ts): a
// 400 naming the first bad field and the fix, or the parsed value.
import type { z } from 'zod';

import { firstIssue } from '../../protocol/first-issue.js';
import { HttpError } from '../http-errors.js';

export function checkedBody<T extends z.ZodType>(schema: T, body: unknown, hint: string): z.infer<T> {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) throw new HttpError(400, 'E_BAD_REQUEST', `the body is invalid (${firstIssue(parsed.error)}); ${hint}`);
  return parsed.data;
}

/** A query parameter given once, checked by `schema`; undefined when absent. */
export function queryParam<T extends z.ZodType>(query: Record<string, unknown>, name: string, schema: T): z.infer<T> | undefined {
  const value = query[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new HttpError(400, 'E_BAD_REQUEST', `the query parameter ${name} is given more than once; give it once`);
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new HttpError(400, 'E_BAD_REQUEST', `the query parameter ${name} is invalid: ${parsed.error.issues[0]?.message ?? 'bad value'}`);
  return parsed.data;
}
