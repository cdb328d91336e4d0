// What a grader folder's grader.yaml may say (the format is a contract: the README's Grading
// section) and the definition it becomes; a file that breaks the schema gets an error naming the
// file, the field and the fix.
import { readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';

import { UserError } from '../common/errors.js';
import { canonicalJson } from '../common/canonical-json.js';
import { fieldPath } from '../common/file-labels.js';
import { LIMIT_RANGES } from '../sandbox/limits.js';
import { invalidField, type GraderContext } from './grader-errors.js';
import { LANGUAGES, type Language } from './languages/registry.js';
export const CHECKERS = ['exact', 'lines', 'tokens', 'float', 'custom'] as const;
export type Checker = (typeof CHECKERS)[number];
export const VISIBILITIES = ['visible', 'hidden', 'after_due_date', 'after_published'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

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
  /** `float` only: accepted difference, absolute or relative. @defaultValue 1e-6 */
  tolerance: number;
  /** @defaultValue 1 */
  points: number;
  /** @defaultValue 'visible' */
  visibility: Visibility;
  /** The grader's limits with this test's overrides applied. */
  limits: GraderLimits;
  /** Absolute paths of this test's own files for /box (besides the grader's `files`). */
  files: string[];
}

export interface CustomChecker {
  /** How to run the checker program (sandboxed, never trusted). */
  run: string[];
  /** Absolute paths of the checker's files. */
  files: string[];
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
  language: Language;
  mode: 'io' | 'harness';
  limits: GraderLimits;
  build?: string[];
  run?: string[];
  /** Absolute paths of the files copied into /box for every test. */
  files: string[];
  /** Empty in harness mode. */
  tests: GraderTest[];
  customChecker?: CustomChecker;
  harness?: Harness;
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

const testEntrySchema = z.strictObject({
  name: z.string({ error: expected(NAME_EXPECTED) }).regex(/^[^\x00-\x1f\x7f]{1,200}$/, { error: expected(NAME_EXPECTED) }).optional(),
  glob: relPath('tests/*.in').optional(),
  stdin: relPath('tests/1.in').optional(),
  args: z.array(z.string({ error: expected('a string (quote numbers)') }), { error: expected('a list of strings') }).default([]),
  expect: relPath('tests/1.out').optional(),
  checker: z.enum(CHECKERS, { error: expected(`one of ${CHECKERS.join(', ')}`) }).default('lines'),
  tolerance: z.number({ error: expected(TOLERANCE_EXPECTED) }).min(0, { error: expected(TOLERANCE_EXPECTED) }).optional(),
  points: z.number({ error: expected(POINTS_EXPECTED) }).min(0, { error: expected(POINTS_EXPECTED) }).default(1),
  visibility: z.enum(VISIBILITIES, { error: expected(`one of ${VISIBILITIES.join(', ')}`) }).default('visible'),
  limits: limitsSchema.optional(),
  files: pathList('data/words.txt'),
}, { error: expectedObject('a test such as { stdin: tests/1.in, expect: tests/1.out } or { glob: tests/*.in }') });

const BOX_PATH_EXPECTED = 'a path inside /box such as results.json (relative, without ..)';
const boxPath = z.string({ error: expected(BOX_PATH_EXPECTED) })
  .refine((p) => p.length > 0 && !isAbsolute(p) && !p.split('/').includes('..'), { error: expected(BOX_PATH_EXPECTED) });

const graderSchema = z.strictObject({
  language: z.enum(LANGUAGES, { error: expected(`one of ${LANGUAGES.join(', ')}`) }),
  mode: z.enum(['io', 'harness'], { error: expected('io (stdin/stdout tests, the default) or harness') }).default('io'),
  limits: limitsSchema.optional(),
  build: argv.optional(),
  run: argv.optional(),
  files: pathList('data/words.txt'),
  tests: z.array(testEntrySchema, { error: expected('a list of tests') }).optional(),
  custom_checker: z.strictObject({ run: argv, files: pathList('checker.py') },
    { error: expectedObject('a mapping such as { run: [python3, checker.py], files: [checker.py] }') }).optional(),
  harness: z.strictObject({ files: pathList('test_solution.py'), run: argv, results: boxPath.default('results.json'),
    max_score: z.number({ error: expected('the points of the whole harness, a number >= 0') }).min(0, { error: expected('a number >= 0') }).optional(),
    candidate: z.strictObject({ run: argv.optional(), files: pathList('run_tests.py') },
      { error: expectedObject('a mapping such as { files: [run_tests.py], run: [python3, -I, run_tests.py, --serve] }') }).optional() },
    { error: expectedObject('a mapping such as { files: [test_solution.py], run: [python3, test_solution.py] }') }).optional(),
}, { error: expectedObject('a mapping with at least language and tests') });

export type GraderSpec = z.infer<typeof graderSchema>;
export type TestEntry = z.infer<typeof testEntrySchema>;
export type LimitsEntry = z.infer<typeof limitsSchema>;

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
