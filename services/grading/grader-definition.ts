// What a grader folder's grader.yaml may say (the format is a contract: the README's Grading
// section) and the definition it becomes; a file that breaks the schema gets an error naming the
// file, the field and the fix.
import { readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';

import { UserError } from '../common/errors.js';
import { canonicalJson } from '../common/canonical-json.js';
import type { FloatTolerance } from './checkers.js';
import { fieldPath } from '../common/file-labels.js';
import { LIMIT_RANGES } from '../protocol/limit-ranges.js';
import { invalidField, type GraderContext } from './grader-errors.js';
import { LANGUAGES, type Language } from './languages/registry.js';
export const CHECKERS = ['exact', 'lines', 'tokens', 'float', 'custom'] as const;
export type Checker = (typeof CHECKERS)[number];
export const VISIBILITIES = ['visible', 'hidden', 'after_due_date', 'after_published'] as const;
export type Visibility = (typeof VISIBILITIES)[number];
/**
 * How a custom checker says its verdict: `exit01` exit 0 accepts, 1 rejects (the default);
 * `testlib` the testlib library's codes (0 OK, 1 WA, 2 PE, 3 FAIL, 7 points); `kattis` the Kattis
 * problem package format's output validator (42 accepted, 43 wrong answer, feedback in a folder).
 */
export const CHECKER_PROTOCOLS = ['exit01', 'testlib', 'kattis'] as const;
export type CheckerProtocol = (typeof CHECKER_PROTOCOLS)[number];
export const GRADER_MODES = ['io', 'harness', 'interactive'] as const;
export type GraderMode = (typeof GRADER_MODES)[number];

/** Per-test limits of a grader. */
export interface GraderLimits {
  /** CPU time, ms. @defaultValue 1000 */
  cpuMs: number;
  /** Wall-clock time, ms. @defaultValue 3000 */
  wallMs: number;
  /** Memory, MiB. @defaultValue 256 */
  memoryMb: number;
  /** Output kept per stream, KiB; more is verdict OLE. @defaultValue 1024 */
  outputKb: number;
}

/** Tighter than the sandbox's own defaults: a test is one small run, not a whole session. */
export const DEFAULT_GRADER_LIMITS: Readonly<GraderLimits> = { cpuMs: 1000, wallMs: 3000, memoryMb: 256, outputKb: 1024 };

export interface GraderTest {
  name: string;
  /** Absolute path of the file fed to stdin; none: empty stdin. */
  stdin?: string;
  args: string[];
  /** Absolute path of the expected stdout; none only with checker `custom`. */
  expect?: string;
  checker: Checker;
  /** `float` only: accepted difference, absolute or relative (a number is both). @defaultValue 1e-6 */
  tolerance: number | FloatTolerance;
  /** false: ASCII letters match whatever their case. @defaultValue true */
  caseSensitive: boolean;
  /** `tokens` and `float`: the whitespace around tokens must match too. @defaultValue false */
  spaceChangeSensitive: boolean;
  /** @defaultValue 1 */
  points: number;
  /** @defaultValue 'visible' */
  visibility: Visibility;
  /** The grader's limits with this test's overrides applied. */
  limits: GraderLimits;
  /** Absolute paths of this test's own files for /box (besides the grader's `files`). */
  files: string[];
}

/** A grader's own program (a custom checker, an interactor): run in a sandbox of its own, never trusted. */
export interface GraderProgram {
  /** How it runs, in its /box; undefined: its language's run command, once built. */
  run?: string[] | undefined;
  /** Absolute paths of its files. */
  files: string[];
  /** The folder its files are laid out from into its /box: the grader folder, or the program's own `dir`. */
  root: string;
  /** A program given as a folder (`dir`) is built once per grader digest as this language. */
  language?: Language | undefined;
  /** Arguments after the ones its protocol passes (a Kattis package's validator_flags). */
  args: string[];
}

export interface CustomChecker extends GraderProgram {
  /** @defaultValue 'exit01' */
  protocol: CheckerProtocol;
}

/** The submission's side of a harness: run in a sandbox of its own, joined to the harness by pipes. */
export interface HarnessCandidate {
  /** How the submission is started; undefined: the language's own run command. */
  run?: string[] | undefined;
  /** Absolute paths of files laid over the built submission (an adapter such as run_tests.py). */
  files: string[];
}

export interface Harness {
  /** Absolute paths of the instructor's test code, copied into the harness's own /box. */
  files: string[];
  run: string[];
  candidate: HarnessCandidate;
  /** Where in /box the harness writes its Gradescope-style results. @defaultValue 'results.json' */
  results: string;
  /** Points at stake when the harness writes no usable results (a crash, a time limit). @defaultValue 1 */
  maxScore: number;
}

export interface GraderDefinition {
  /** The grader folder, with symlinks resolved. */
  dir: string;
  /** sha256 of the canonical grader.yaml and every file it names: goes into a result's provenance. */
  digest: string;
  /** The first of `languages`: the one a submission whose files name none is told to use. */
  language: Language;
  /** Every language a submission may be written in (its files' extensions tell which). */
  languages: Language[];
  mode: GraderMode;
  limits: GraderLimits;
  build?: string[];
  run?: string[];
  /** The file the program starts from, whatever a submission names: a source file at the top of the submission. */
  entry?: string | undefined;
  /** Absolute paths of the files copied into /box for every test. */
  files: string[];
  /** Empty in harness mode. */
  tests: GraderTest[];
  customChecker?: CustomChecker;
  harness?: Harness;
  /** Mode interactive: the program that talks with the submission, the Kattis protocol's way. */
  interactor?: GraderProgram;
  /**
   * Contest style: the tests stop at the first one that fails, and the rest are reported as not
   * run (status `not_run`, no verdict). @defaultValue false
   */
  stopOnFailure: boolean;
}

// ---- The schema: shapes and types only; grader-tests.ts checks the rules across fields and files. ----

/** An error function whose message says what was expected and what was found. */
function expected(what: string) {
  return (issue: { input?: unknown }) =>
    (issue.input === undefined ? `missing; add ${what}` : `expected ${what}, got ${shown(issue.input)}`);
}

/** For objects: only the type error is ours; unknown keys are worded by `schemaMessage`. */
function expectedObject(what: string) {
  return (issue: { code?: string; input?: unknown }) => (issue.code === 'invalid_type' ? expected(what)(issue) : undefined);
}

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

const relPath = (example: string) => {
  const error = expected(`a path relative to the grader folder, such as ${example}`);
  return z.string({ error }).min(1, { error });
};
const pathList = (example: string) =>
  z.array(relPath(example), { error: expected(`a list of paths such as [${example}]`) }).default([]);

const ARGV_EXPECTED = 'a command as a list of strings, such as ["./{main}"] (quote numbers)';
const argv = z.array(z.string({ error: expected('a string (quote numbers)') }), { error: expected(ARGV_EXPECTED) })
  .min(1, { error: expected(ARGV_EXPECTED) });

function limitValue(key: keyof GraderLimits) {
  const { min, max } = LIMIT_RANGES[key];
  const error = expected(`a whole number from ${min} to ${max}`);
  return z.int({ error }).min(min, { error }).max(max, { error }).optional();
}

const limitsSchema = z.strictObject({
  cpu_ms: limitValue('cpuMs'),
  wall_ms: limitValue('wallMs'),
  memory_mb: limitValue('memoryMb'),
  output_kb: limitValue('outputKb'),
}, { error: expectedObject('a mapping such as { cpu_ms: 1000, memory_mb: 256 }') });

const NAME_EXPECTED = 'a test name: one line of text, such as sample-1';
const POINTS_EXPECTED = 'a number of points, 0 or more';
const TOLERANCE_EXPECTED = 'a tolerance of 0 or more, such as 1e-6';

const TOLERANCE_OBJECT_EXPECTED = 'a mapping such as { absolute: 1e-6 } or { absolute: 1e-6, relative: 1e-9 }';
const toleranceValue = z.number({ error: expected(TOLERANCE_EXPECTED) }).min(0, { error: expected(TOLERANCE_EXPECTED) });
const toleranceSchema = z.union([
  toleranceValue,
  z.strictObject({ absolute: toleranceValue.optional(), relative: toleranceValue.optional() }, { error: expectedObject(TOLERANCE_OBJECT_EXPECTED) })
    .refine((t) => t.absolute !== undefined || t.relative !== undefined, { error: expected(TOLERANCE_OBJECT_EXPECTED) }),
], { error: expected(`${TOLERANCE_EXPECTED}, or ${TOLERANCE_OBJECT_EXPECTED}`) });
const flag = (what: string) => z.boolean({ error: expected(`true or false (${what})`) }).optional();

const testEntrySchema = z.strictObject({
  name: z.string({ error: expected(NAME_EXPECTED) }).regex(/^[^\x00-\x1f\x7f]{1,200}$/, { error: expected(NAME_EXPECTED) }).optional(),
  glob: relPath('tests/*.in').optional(),
  stdin: relPath('tests/1.in').optional(),
  args: z.array(z.string({ error: expected('a string (quote numbers)') }), { error: expected('a list of strings') }).default([]),
  expect: relPath('tests/1.out').optional(),
  checker: z.enum(CHECKERS, { error: expected(`one of ${CHECKERS.join(', ')}`) }).default('lines'),
  tolerance: toleranceSchema.optional(),
  case_sensitive: flag('false: letters match whatever their case'),
  space_change_sensitive: flag('true: the whitespace around tokens must match too'),
  points: z.number({ error: expected(POINTS_EXPECTED) }).min(0, { error: expected(POINTS_EXPECTED) }).default(1),
  visibility: z.enum(VISIBILITIES, { error: expected(`one of ${VISIBILITIES.join(', ')}`) }).default('visible'),
  limits: limitsSchema.optional(),
  files: pathList('data/words.txt'),
}, { error: expectedObject('a test such as { stdin: tests/1.in, expect: tests/1.out } or { glob: tests/*.in }') });

const ENTRY_EXPECTED = 'a source file name at the top of the submission, such as main.py';
const entryName = z.string({ error: expected(ENTRY_EXPECTED) })
  .regex(/^[^/\\\x00-\x1f\x7f]{1,255}$/, { error: expected(ENTRY_EXPECTED) })
  .refine((name) => name !== '.' && name !== '..', { error: expected(ENTRY_EXPECTED) });

const BOX_PATH_EXPECTED = 'a path inside /box such as results.json (relative, without ..)';
const boxPath = z.string({ error: expected(BOX_PATH_EXPECTED) })
  .refine((p) => p.length > 0 && !isAbsolute(p) && !p.split('/').includes('..'), { error: expected(BOX_PATH_EXPECTED) });

const LANGUAGE_EXPECTED = `one of ${LANGUAGES.join(', ')}, a list of them, or any`;
const languageName = z.enum(LANGUAGES, { error: expected(`one of ${LANGUAGES.join(', ')}`) });
const languageSchema = z.union([languageName, z.literal('any'), z.array(languageName).min(1)], { error: expected(LANGUAGE_EXPECTED) });

/** A grader's own program: a command and its files, or a folder built once as a language. */
const programFields = {
  run: argv.optional(),
  files: pathList('checker.py'),
  dir: relPath('output_validator').optional(),
  language: languageName.optional(),
  args: z.array(z.string({ error: expected('a string (quote numbers)') }), { error: expected('a list of strings') }).default([]),
};
const PROGRAM_EXPECTED = 'a mapping such as { run: [python3, checker.py], files: [checker.py] } or { dir: output_validator }';

const graderSchema = z.strictObject({
  language: languageSchema,
  mode: z.enum(GRADER_MODES, { error: expected('io (stdin/stdout tests, the default), harness or interactive') }).default('io'),
  limits: limitsSchema.optional(),
  build: argv.optional(),
  run: argv.optional(),
  entry: entryName.optional(),
  files: pathList('data/words.txt'),
  tests: z.array(testEntrySchema, { error: expected('a list of tests') }).optional(),
  custom_checker: z.strictObject({ ...programFields,
    protocol: z.enum(CHECKER_PROTOCOLS, { error: expected(`one of ${CHECKER_PROTOCOLS.join(', ')}`) }).default('exit01') },
  { error: expectedObject(PROGRAM_EXPECTED) }).optional(),
  interactor: z.strictObject(programFields, { error: expectedObject('a mapping such as { dir: output_validator }') }).optional(),
  stop_on_failure: z.boolean({ error: expected('true or false') }).default(false),
  harness: z.strictObject({ files: pathList('test_solution.py'), run: argv, results: boxPath.default('results.json'),
    max_score: z.number({ error: expected('the points of the whole harness, a number >= 0') }).min(0, { error: expected('a number >= 0') }).optional(),
    candidate: z.strictObject({ run: argv.optional(), files: pathList('run_tests.py') },
      { error: expectedObject('a mapping such as { files: [run_tests.py], run: [python3, -I, run_tests.py, --serve] }') }).optional() },
    { error: expectedObject('a mapping such as { files: [test_solution.py], run: [python3, test_solution.py] }') }).optional(),
}, { error: expectedObject('a mapping with at least language and tests') });

export type GraderSpec = z.infer<typeof graderSchema>;
export type TestEntry = z.infer<typeof testEntrySchema>;
export type LimitsEntry = z.infer<typeof limitsSchema>;
export type ProgramEntry = NonNullable<GraderSpec['interactor']>;

// ---- Reading grader.yaml against it ----

/** The first schema issue as a field and a sentence; an unknown key is named as the field itself. */
function schemaError(ctx: GraderContext, error: z.ZodError): never {
  const issue = error.issues[0];
  if (!issue) invalidField(ctx, '(top level)', 'invalid');
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '?';
    invalidField(ctx, fieldPath([...issue.path, key]), `unknown key "${key}"; remove it, or check its spelling`);
  }
  invalidField(ctx, fieldPath(issue.path), issue.message);
}

/** Reads grader.yaml and checks it against the schema; `canonical` is what its digest covers. */
export function readGraderSpec(ctx: GraderContext, file: string): { spec: GraderSpec; canonical: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UserError('E_GRADER_NOT_FOUND', `${ctx.label}: cannot read it; create grader.yaml in the grader folder (see graders/sum-c)`);
  }
  const doc = parseDocument(text, { prettyErrors: true });
  const yamlError = doc.errors[0];
  if (yamlError) throw new UserError('E_GRADER_INVALID', `${ctx.label}: not valid YAML: ${yamlError.message}`);
  let raw: unknown;
  try {
    raw = doc.toJS();
  } catch (err) {
    // toJS refuses alias bombs (too many alias expansions).
    throw new UserError('E_GRADER_INVALID', `${ctx.label}: cannot read the YAML: ${(err as Error).message}`);
  }
  const parsed = graderSchema.safeParse(raw);
  if (!parsed.success) schemaError(ctx, parsed.error);
  // Hash what was written, not how: comments, spacing and key order do not change the digest.
  return { spec: parsed.data, canonical: canonicalJson(raw) };
}
