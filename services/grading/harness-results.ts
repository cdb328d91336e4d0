// Reads the Gradescope-style results.json a harness wrote into /box, as untrusted data.
//
// Why untrusted: the harness is a program of the grader's, run in a sandbox of its own apart from the
// submission (harness-tests.ts), but it is still a program: a broken one may leave a link (to a host
// file, once /box is exported), a FIFO or a huge file where results.json should be. So nothing here
// follows a link (every path component is lstat-checked and the final open uses O_NOFOLLOW), only a
// regular file of bounded size is read, and every field goes through a schema with caps.
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

import { UserError } from '../common/errors.js';
import { fieldPath } from '../common/file-labels.js';
import { VISIBILITIES, type Visibility } from './grader-definition.js';

/** Caps on what a harness may report. */
export interface HarnessResultsLimits {
  /** Size of results.json, bytes. @defaultValue 1 MiB */
  maxBytes: number;
  /** Number of tests; more is an error, not a silent cut. @defaultValue 1000 */
  maxTests: number;
  /** A test's name, characters; longer names are cut. @defaultValue 200 */
  maxNameChars: number;
  /** A test's output and the top-level output, characters; longer text is cut. @defaultValue 8192 */
  maxOutputChars: number;
}

export const DEFAULT_HARNESS_RESULTS_LIMITS: Readonly<HarnessResultsLimits> = {
  maxBytes: 1024 * 1024, maxTests: 1000, maxNameChars: 200, maxOutputChars: 8192,
};

/** One test as the harness reported it, normalized: every field present and within its caps. */
export interface HarnessTest {
  name: string;
  /** 0 ≤ score ≤ max_score (a higher score is clamped: no extra credit from untrusted data). */
  score: number;
  max_score: number;
  /** As reported; derived from the score when missing (full marks: passed). */
  status: 'passed' | 'failed';
  output: string;
  visibility: Visibility;
}

export interface HarnessReport {
  tests: HarnessTest[];
  /** The harness's top-level message to students (capped). */
  output: string;
}

// ---- The schema: Gradescope's fields; unknown keys (extra_data, leaderboard, …) are ignored. ----

// zod 4 numbers are finite (JSON.parse turns 1e999 into Infinity, which is refused here).
const score = z.number({ error: 'expected a finite number >= 0' }).min(0, { error: 'expected a finite number >= 0' });
const text = z.string({ error: 'expected a string' });
const visibility = z.enum(VISIBILITIES, { error: `expected one of ${VISIBILITIES.join(', ')}` });

const testSchema = z.object({
  name: text.optional(),
  number: z.union([z.string(), z.number()], { error: 'expected a string or a number, such as "1.2"' }).optional(),
  score: score.optional(),
  max_score: score.optional(),
  status: z.enum(['passed', 'failed'], { error: 'expected passed or failed' }).optional(),
  output: text.optional(),
  visibility: visibility.optional(),
  tags: z.array(text, { error: 'expected a list of strings' }).optional(),
}, { error: 'expected an object such as {"name": "t1", "score": 1, "max_score": 1}' });

function reportSchema(limits: HarnessResultsLimits) {
  return z.object({
    // Checked so a broken harness is caught, but never used: the total is the sum of the tests.
    score: score.optional(),
    output: text.optional(),
    visibility: visibility.optional(),
    tests: z.array(testSchema, { error: 'expected a list of tests' })
      .min(1, { error: 'no tests; the harness must list each test in "tests"' })
      .max(limits.maxTests, { error: `more than ${limits.maxTests} tests` }),
  }, { error: 'expected a JSON object with "tests"' });
}

type RawTest = z.infer<typeof testSchema>;

// ---- Reading without following links ----

function fail(resultsPath: string, problem: string): never {
  throw new UserError('E_HARNESS_RESULTS', `${resultsPath}: ${problem}`);
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

/** Checks each folder on the way and the file itself with lstat. The sandbox has ended and its /box
 * was exported to a host folder nobody else writes, so nothing changes between check and open. */
function checkPath(boxDir: string, resultsPath: string, maxBytes: number): string {
  const parts = resultsPath.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0 || resultsPath.startsWith('/') || parts.includes('..')) {
    fail(resultsPath, 'not a path inside /box; give a relative path such as results.json');
  }
  let path = boxDir;
  for (const [i, part] of parts.entries()) {
    path = join(path, part);
    const stat = lstatOrNull(path);
    const last = i === parts.length - 1;
    if (!stat) fail(resultsPath, 'missing; the harness wrote no results (did it crash, or run out of time?)');
    if (stat.isSymbolicLink()) fail(resultsPath, `${last ? '' : `folder ${parts.slice(0, i + 1).join('/')} `}is a symbolic link; results are never read through links`);
    if (!last && !stat.isDirectory()) fail(resultsPath, `${parts.slice(0, i + 1).join('/')} is not a folder`);
    if (last && !stat.isFile()) fail(resultsPath, 'not a regular file');
    if (last && stat.size > maxBytes) fail(resultsPath, `larger than ${maxBytes} bytes (${stat.size})`);
  }
  return path;
}

/** Reads at most maxBytes + 1 bytes through an O_NOFOLLOW handle, checked again with fstat. */
function readCapped(path: string, resultsPath: string, maxBytes: number): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    fail(resultsPath, `cannot open it: ${(error as Error).message}`);
  }
  try {
    if (!fstatSync(fd).isFile()) fail(resultsPath, 'not a regular file');
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    for (let n = 1; n > 0 && length < buffer.length; length += n) n = readSync(fd, buffer, length, buffer.length - length, null);
    if (length > maxBytes) fail(resultsPath, `larger than ${maxBytes} bytes`);
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

function parseJson(bytes: Buffer, resultsPath: string): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    fail(resultsPath, 'not UTF-8 text; the harness must write JSON');
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    fail(resultsPath, `not JSON (${(error as Error).message}); the harness must write Gradescope's results.json format`);
  }
}

// ---- Normalizing ----

/** Text shown to students: control characters other than newline and tab dropped, length capped. */
function cleaned(value: string, maxChars: number): string {
  // eslint-disable-next-line no-control-regex
  const plain = value.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '');
  return plain.length > maxChars ? `${plain.slice(0, maxChars)}\n[… cut at ${maxChars} characters]` : plain;
}

/** A name: one line, trimmed, cut to maxChars. */
function oneLine(value: string, maxChars: number): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\x00-\x1f\x7f]+/g, ' ').trim().slice(0, maxChars).trim();
}

function normalizedTest(raw: RawTest, index: number, defaultVisibility: Visibility, limits: HarnessResultsLimits, resultsPath: string): HarnessTest {
  const field = `tests[${index}]`;
  if (raw.score === undefined && raw.status === undefined) fail(resultsPath, `field ${field}: needs "score" or "status"`);
  // Without max_score a test is worth one point, whatever score it claims (a claim is no maximum).
  const maxScore = raw.max_score ?? 1;
  const given = raw.score ?? (raw.status === 'passed' ? maxScore : 0);
  const status = raw.status ?? (given >= maxScore ? 'passed' : 'failed');
  const fallbackName = `test ${raw.number ?? index + 1}`;
  return {
    name: oneLine(raw.name ?? '', limits.maxNameChars) || fallbackName,
    score: Math.min(given, maxScore),
    max_score: maxScore,
    status,
    output: cleaned(raw.output ?? '', limits.maxOutputChars),
    visibility: raw.visibility ?? defaultVisibility,
  };
}

/**
 * Reads `resultsPath` (relative, inside `boxDir`: the exported /box of a finished harness run),
 * checks it against Gradescope's results.json format and returns the tests, normalized.
 * Scores above max_score are clamped; a top-level score is ignored (the total is the sum of the tests).
 * Throws UserError E_HARNESS_RESULTS naming the file and what was wrong.
 */
export function readHarnessResults(boxDir: string, resultsPath: string, limits: Partial<HarnessResultsLimits> = {}): HarnessReport {
  const caps = { ...DEFAULT_HARNESS_RESULTS_LIMITS, ...limits };
  const path = checkPath(boxDir, resultsPath, caps.maxBytes);
  const raw = parseJson(readCapped(path, resultsPath, caps.maxBytes), resultsPath);
  const parsed = reportSchema(caps).safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    fail(resultsPath, `field ${fieldPath(issue?.path ?? [])}: ${issue?.message ?? 'invalid'}`);
  }
  const { tests, output, visibility: defaultVisibility } = parsed.data;
  return {
    tests: tests.map((t, i) => normalizedTest(t, i, defaultVisibility ?? 'visible', caps, resultsPath)),
    output: cleaned(output ?? '', caps.maxOutputChars),
  };
}
