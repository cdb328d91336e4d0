// Checks of what callers hand the store: each bad value is a UserError naming the value and the fix,
// so no database constraint ever has to be the one that refuses it.
import { isAbsolute } from 'node:path';

import { UserError } from '../common/errors.js';
import { isSha256Hex } from '../protocol/digest.js';
import { assignmentName, courseId } from '../protocol/ids.js';
import { isRequestId } from '../protocol/request-id.js';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** A value quoted for a message: JSON, so control characters cannot forge log lines; long ones cut. */
export function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value);
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}

function bad(message: string): UserError {
  return new UserError('E_BAD_INPUT', message);
}

export function checkCourseId(id: unknown): string {
  const parsed = courseId.safeParse(id);
  if (!parsed.success) {
    throw bad(`course id ${quote(id)} is not a slug; use 1–40 lowercase letters, digits and inner "-", e.g. "cs101"`);
  }
  return parsed.data;
}

export function checkAssignmentName(name: unknown): string {
  const parsed = assignmentName.safeParse(name);
  if (!parsed.success) {
    throw bad(`assignment name ${quote(name)} is not allowed; use 1–100 letters, digits, ".", "_" or "-", starting with a letter or digit`);
  }
  return parsed.data;
}

/** An API request's id as the job carries it (protocol/request-id.ts), or null when none is given. */
export function checkRequestId(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (!isRequestId(value)) throw bad(`request id ${quote(value)} is not allowed; use 1–128 letters, digits, ".", "_", ":" or "-"`);
  return value;
}

/** One line of text (a name, a label, a student id): 1..max characters, no control characters. */
export function checkText(what: string, value: unknown, max: number): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > max || CONTROL.test(value)) {
    throw bad(`${what} ${quote(value)} is not allowed; give 1–${max} characters without control characters`);
  }
  return value;
}

/** A lowercase hex sha256; anything else (a path, `../../etc/passwd`) is refused before it reaches a file name. */
export function checkSha256(what: string, value: unknown): string {
  if (!isSha256Hex(value)) {
    throw new UserError('E_BAD_DIGEST', `${what} ${quote(value)} is not a sha256 digest; give 64 lowercase hex digits`);
  }
  return value;
}

const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** Whether the calendar has that day (Date.parse takes 2026-02-30 for March 2). */
function isCalendarDay(year: number, month: number, day: number): boolean {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDate() === day && month >= 1 && month <= 12;
}

/** An ISO-8601 date and time with its zone (a time without one means different moments in different places), as UTC. */
export function checkIsoTime(what: string, value: unknown): string {
  const parts = typeof value === 'string' ? ISO_TIME.exec(value) : null;
  const time = parts && isCalendarDay(Number(parts[1]), Number(parts[2]), Number(parts[3])) ? Date.parse(value as string) : NaN;
  if (!Number.isFinite(time)) {
    throw bad(`${what} ${quote(value)} is not an ISO-8601 time with a zone; write it like 2026-05-01T23:59:00Z or 2026-05-01T23:59:00+02:00`);
  }
  return new Date(time).toISOString();
}

export function checkAbsolutePath(what: string, value: unknown): string {
  if (typeof value !== 'string' || !isAbsolute(value) || value.includes('\0') || value.length > 4096) {
    throw bad(`${what} ${quote(value)} is not an absolute path; give the folder's full path`);
  }
  return value;
}

/**
 * A submission file's relative path as services/intake/safe-names.ts normalizes it: `/`-separated, no empty,
 * `.` or `..` segment, no backslash or control character. Checked again here because the worker
 * rebuilds the submission's folder from these paths.
 */
export function checkFilePath(path: unknown): string {
  const fine = typeof path === 'string' && path.length > 0 && path.length <= 1024 && !CONTROL.test(path) &&
    !path.includes('\\') && path.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
  if (!fine) throw bad(`submission file path ${quote(path)} is not a plain relative path; use "dir/name.ext" without "..", "." or a leading "/"`);
  return path as string;
}

export function checkCount(what: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw bad(`${what} ${quote(value)} is not a whole number of at least ${min}`);
  }
  return value;
}

export function checkLimit(value: number | undefined, fallback: number, max = 1000): number {
  if (value === undefined) return fallback;
  checkCount('limit', value, 1);
  return Math.min(value, max);
}

/** An object as JSON text, within `maxBytes`. */
export function jsonObjectText(what: string, value: unknown, maxBytes: number): string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw bad(`${what} must be a JSON object`);
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw bad(`${what} cannot be stored as JSON (${(error as Error).message}); pass plain data`);
  }
  if (Buffer.byteLength(text) > maxBytes) {
    throw new UserError('E_TOO_LARGE', `${what} is larger than ${maxBytes} bytes as JSON; shorten its output fields`);
  }
  return text;
}

export function checkFiniteNumber(what: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw bad(`${what} ${quote(value)} is not a finite number`);
  return value;
}
