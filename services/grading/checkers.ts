// Output checkers: compare a program's stdout with the expected output as a grader's `checker`
// option in grader.yaml says (the README's Grading section): `exact`, `lines`, `tokens` or `float`,
// with one sentence of feedback. The options also cover what the default output validator of the
// Kattis problem package format accepts (its flags case_sensitive, space_change_sensitive and the
// float tolerances, problemarchive.org's "Default output validator specification").
import { UserError } from '../common/errors.js';

export type CheckerName = 'exact' | 'lines' | 'tokens' | 'float';

export interface CheckResult {
  ok: boolean;
  /** One short sentence for the student, e.g. `line 3: expected "4", got "5"`; values shown are
   * capped at about 80 characters with control characters escaped. */
  feedback: string;
}

/** `float`: a number is accepted within either tolerance; null: that kind does not apply. */
export interface FloatTolerance {
  absolute: number | null;
  relative: number | null;
}

export interface CheckOptions {
  /** `float` only: largest accepted difference, absolute or relative to the expected value (a
   * number is both). @defaultValue 1e-6 */
  tolerance?: number | FloatTolerance | undefined;
  /** false: ASCII letters match whatever their case (A equals a; other letters stay exact).
   * @defaultValue true */
  caseSensitive?: boolean | undefined;
  /** `tokens` and `float`: the whitespace around tokens must match too, kind and amount.
   * @defaultValue false */
  spaceChangeSensitive?: boolean | undefined;
}

export const DEFAULT_TOLERANCE = 1e-6;

const MATCH: CheckResult = { ok: true, feedback: 'output matches' };

/** Compares `actual` with `expected` under one checker; never throws for any output. */
export function compareOutput(checker: CheckerName, expected: string, actual: string, options: CheckOptions = {}): CheckResult {
  const caseless = options.caseSensitive === false;
  const tokens: TokenRules = { spaces: options.spaceChangeSensitive === true, mismatch: caseless ? caselessMismatch : tokenMismatch };
  switch (checker) {
    case 'exact': return caseless ? compareExact(foldCase(expected), foldCase(actual)) : compareExact(expected, actual);
    case 'lines': return caseless ? compareLines(foldCase(expected), foldCase(actual)) : compareLines(expected, actual);
    case 'tokens': return compareTokens(expected, actual, tokens);
    case 'float': return compareTokens(expected, actual, { ...tokens, mismatch: floatMismatch(checkedTolerance(options.tolerance), tokens.mismatch) });
    default: {
      // Reachable from untyped callers (a grader's YAML), so fail with a fix rather than `undefined`.
      const name: never = checker;
      throw new UserError('E_GRADER_CHECKER', `unknown checker ${JSON.stringify(name)}: use exact, lines, tokens or float`);
    }
  }
}

function checkedTolerance(tolerance: number | FloatTolerance | undefined): FloatTolerance {
  const given = typeof tolerance === 'object' ? tolerance : { absolute: tolerance ?? DEFAULT_TOLERANCE, relative: tolerance ?? DEFAULT_TOLERANCE };
  for (const tol of [given.absolute, given.relative]) {
    if (tol !== null && (!Number.isFinite(tol) || tol < 0)) {
      throw new UserError('E_GRADER_TOLERANCE', `tolerance ${tol} is not a finite number >= 0: use e.g. 1e-6`);
    }
  }
  return given;
}

/** ASCII letters only, as the Kattis default validator: "É" and "é" stay different. */
function foldCase(text: string): string {
  return text.replace(/[A-Z]+/g, (upper) => upper.toLowerCase());
}

const fail = (feedback: string): CheckResult => ({ ok: false, feedback });

// ---- exact: byte for byte, reported by line (lines shown with their "\n" so a missing or
// extra newline, or a "\r", is visible).

function compareExact(expected: string, actual: string): CheckResult {
  if (expected === actual) return MATCH;
  const at = firstDifference(expected, actual);
  const start = expected.lastIndexOf('\n', at - 1) + 1; // same in both: they agree before `at`
  const line = lineNumberAt(expected, at);
  const exp = lineWithNewline(expected, start);
  const act = lineWithNewline(actual, start);
  if (act === '') return fail(`output ends early at line ${line}: expected ${show(exp)}`);
  if (exp === '') return fail(line === 1 ? `expected no output, got ${show(act)}` : `extra output after line ${line - 1}: ${show(act)}`);
  return fail(`line ${line}: ${expectedGot(exp, act)}`);
}

function firstDifference(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/** 1-based number of the line holding `index`; one indexOf pass, run only on a mismatch. */
function lineNumberAt(text: string, index: number): number {
  let line = 1;
  for (let nl = text.indexOf('\n'); nl !== -1 && nl < index; nl = text.indexOf('\n', nl + 1)) line++;
  return line;
}

function lineWithNewline(text: string, start: number): string {
  const nl = text.indexOf('\n', start);
  return text.slice(start, nl === -1 ? text.length : nl + 1);
}

// ---- lines: trailing whitespace of each line and trailing blank lines do not count, so "\r\n"
// equals "\n". Lines are read one at a time: a 16 MB output is never split into an array.

function compareLines(expected: string, actual: string): CheckResult {
  const nextExpected = lineReader(expected);
  const nextActual = lineReader(actual);
  for (let line = 1; ; line++) {
    const exp = nextExpected();
    const act = nextActual();
    if (exp === undefined && act === undefined) return MATCH;
    if (act === undefined) return fail(`output ends early at line ${line}: expected ${nonBlank(exp!, nextExpected, line)}`);
    if (exp === undefined) {
      return fail(line === 1 ? `expected no output, got ${show(act)}` : `extra output after line ${line - 1}: ${nonBlank(act, nextActual, line)}`);
    }
    if (exp !== act) return fail(`line ${line}: ${expectedGot(exp, act)}`);
  }
}

/** The first non-blank line from `line` on (one exists: trailing blank lines were dropped), so
 * "output ends early" shows the missing text rather than a blank line. */
function nonBlank(first: string, next: () => string | undefined, start: number): string {
  let text: string | undefined = first;
  let line = start;
  while (text === '') { text = next(); line++; }
  return show(text ?? '') + (line === start ? '' : ` on line ${line}`);
}

/** Returns the text's lines without trailing whitespace, then undefined. Trimming the whole text
 * first makes trailing blank (or whitespace-only) lines disappear. */
function lineReader(text: string): () => string | undefined {
  const end = trimmedEnd(text, 0, text.length);
  let pos = 0;
  return () => {
    if (pos >= end) return undefined;
    const nl = text.indexOf('\n', pos);
    const lineEnd = nl === -1 || nl > end ? end : nl;
    const line = text.slice(pos, trimmedEnd(text, pos, lineEnd));
    pos = lineEnd + 1;
    return line;
  };
}

/** ASCII whitespace only (as ICPC checkers): a no-break space is part of the answer. */
function isSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13); // space \t \n \v \f \r
}

function trimmedEnd(text: string, start: number, end: number): number {
  while (end > start && isSpace(text.charCodeAt(end - 1))) end--;
  return end;
}

// ---- tokens and float: whitespace-separated tokens, read lazily with one global regex.

/** Why two tokens differ, or undefined when they match. */
type TokenMismatch = (expected: string, actual: string) => string | undefined;

interface TokenRules {
  mismatch: TokenMismatch;
  /** The whitespace before each token and after the last must match too. */
  spaces: boolean;
}

function compareTokens(expected: string, actual: string, rules: TokenRules): CheckResult {
  const nextExpected = tokenReader(expected, rules.spaces);
  const nextActual = tokenReader(actual, rules.spaces);
  for (let count = 0; ; count++) {
    const exp = nextExpected();
    const act = nextActual();
    // The line number costs a pass over the output: computed only once, for the feedback.
    const where = (): string => `line ${lineNumberAt(actual, act.index ?? actual.length)}`;
    if (exp.token === null && act.token === null) return rules.spaces && exp.space !== act.space ? spaceDiffers('at the end', exp, act, where()) : MATCH;
    if (act.token === null) return fail(`output ends early after ${plural(count, 'token')}: expected ${show(exp.token!)} next`);
    if (exp.token === null) {
      return fail(count === 0 ? `expected no output, got ${show(act.token)}` : `extra output after ${plural(count, 'token')}: ${show(act.token)} (${where()})`);
    }
    if (rules.spaces && exp.space !== act.space) return spaceDiffers(`before token ${count + 1}`, exp, act, where());
    const why = rules.mismatch(exp.token, act.token);
    if (why !== undefined) return fail(`token ${count + 1} (${where()}): ${why}`);
  }
}

function spaceDiffers(which: string, exp: Token, act: Token, where: string): CheckResult {
  return fail(`the whitespace ${which} (${where}) differs: ${expectedGot(exp.space, act.space)}`);
}

/** A token with the whitespace before it (when asked for); at the end, token null and the trailing whitespace. */
interface Token { token: string | null; space: string; index: number | undefined }

/** Each call returns the next token in the same object (read before the next call): a 10 MB output
 * has a million tokens, and allocating none keeps the comparison fast. */
function tokenReader(text: string, spaces: boolean): () => Token {
  const pattern = /[^\t\n\v\f\r ]+/g;
  const current: Token = { token: null, space: '', index: undefined };
  let end = 0;
  return () => {
    const match = pattern.exec(text);
    current.token = match ? match[0] : null;
    current.index = match?.index;
    if (spaces) {
      const start = match ? match.index : text.length;
      current.space = text.slice(end, start);
      end = match ? start + match[0].length : text.length;
    }
    return current;
  };
}

const tokenMismatch: TokenMismatch = (exp, act) => (exp === act ? undefined : expectedGot(exp, act));
const caselessMismatch: TokenMismatch = (exp, act) => (exp === act || foldCase(exp) === foldCase(act) ? undefined : expectedGot(exp, act));

// A decimal number as C's scanf/strtod reads it, minus hex ("0x10" is a word), plus nan/inf.
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIAL = /^[+-]?(?:nan|inf|infinity)$/i;

function parseNumber(token: string): number | undefined {
  if (DECIMAL.test(token)) return Number(token);
  if (!SPECIAL.test(token)) return undefined;
  if (/nan/i.test(token)) return NaN;
  return token.startsWith('-') ? -Infinity : Infinity;
}

/** Numbers within the tolerance; a token that is not a number is compared as `words` compares it. */
function floatMismatch(tolerance: FloatTolerance, words: TokenMismatch): TokenMismatch {
  return (exp, act) => {
    if (exp === act) return undefined; // the common case: skip parsing
    const e = parseNumber(exp);
    const a = parseNumber(act);
    if (e === undefined || a === undefined) return words(exp, act);
    if (withinTolerance(e, a, tolerance)) return undefined;
    const off = Math.abs(a - e);
    const detail = Number.isFinite(off) ? ` (off by ${Number(off.toPrecision(3))}, tolerance ${toleranceText(tolerance)})` : '';
    return expectedGot(exp, act) + detail;
  };
}

function toleranceText({ absolute, relative }: FloatTolerance): string {
  if (absolute === relative) return String(absolute);
  return [absolute === null ? '' : `${absolute} absolute`, relative === null ? '' : `${relative} relative`].filter(Boolean).join(' or ');
}

function withinTolerance(e: number, a: number, { absolute, relative }: FloatTolerance): boolean {
  if (Number.isNaN(e) || Number.isNaN(a)) return Number.isNaN(e) && Number.isNaN(a);
  if (!Number.isFinite(e) || !Number.isFinite(a)) return e === a;
  const diff = Math.abs(a - e);
  // Decimals like 0.51 are not exact in binary: a few ulps of slack keep a difference of exactly
  // `tolerance` (0.51 vs 0.5 at 0.01) from failing on rounding alone.
  const slack = 4 * Number.EPSILON * Math.max(Math.abs(e), Math.abs(a));
  return (absolute !== null && diff <= absolute + slack) || (relative !== null && diff <= relative * Math.abs(e) + slack);
}

// ---- feedback text

const SHOWN_CHARS = 80;
/** Characters shown before the first difference, so a long line still shows where it differs. */
const CONTEXT_CHARS = 30;

function expectedGot(exp: string, act: string): string {
  const at = firstDifference(exp, act);
  return `expected ${show(exp, at)}, got ${show(act, at)}`;
}

/** A quoted, escaped excerpt of at most SHOWN_CHARS around `focus`, with "…" where cut. */
function show(text: string, focus = 0): string {
  const start = Math.max(0, Math.min(focus - CONTEXT_CHARS, text.length - SHOWN_CHARS));
  const end = Math.min(text.length, start + SHOWN_CHARS);
  return `${start > 0 ? '…' : ''}${escape(text.slice(start, end))}${end < text.length ? '…' : ''}`;
}

/** JSON quoting escapes C0 controls; also escape DEL, C1, format (bidi) and line-separator
 * characters, which would otherwise hide or reorder text in the student's view. */
function escape(text: string): string {
  // split(''): an astral format character (a tag) is two code units, each escaped.
  const hex = (c: string): string => c.split('').map((u) => `\\u${u.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
  return JSON.stringify(text).replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, hex);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
