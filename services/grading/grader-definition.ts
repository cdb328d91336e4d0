// Reads a grader folder's grader.yaml (issue 4: the format is a contract), checks it and every file
// it names, and returns a normalized definition; errors name the file, the field and the fix.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, extname, isAbsolute, join, posix, relative, resolve, sep } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';

import { UserError } from '../common/errors.js';
import { canonicalJson } from '../common/canonical-json.js';
import { fieldPath, pathLabel } from '../common/file-labels.js';
import { LIMIT_RANGES } from '../sandbox/limits.js';
import { DEFAULT_TOLERANCE } from './checkers.js';
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

// ---- The schema: shapes and types only; rules across fields and files are checked afterwards. ----

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

type GraderSpec = z.infer<typeof graderSchema>;
type TestEntry = z.infer<typeof testEntrySchema>;
type LimitsEntry = z.infer<typeof limitsSchema>;

// ---- Errors ----

/** Where errors point: the grader folder (real path) and grader.yaml as shown to the user. */
interface Context {
  root: string;
  label: string;
}

function fail(ctx: Context, field: string, problem: string): never {
  throw new UserError('E_GRADER_INVALID', `${ctx.label}: field ${field}: ${problem}`);
}

/** The first schema issue as a field and a sentence; an unknown key is named as the field itself. */
function schemaError(ctx: Context, error: z.ZodError): never {
  const issue = error.issues[0];
  if (!issue) fail(ctx, '(top level)', 'invalid');
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '?';
    fail(ctx, fieldPath([...issue.path, key]), `unknown key "${key}"; remove it, or check its spelling`);
  }
  fail(ctx, fieldPath(issue.path), issue.message);
}

// ---- Reading ----

function graderRoot(dir: string): string {
  try {
    const root = realpathSync(resolve(dir));
    if (statSync(root).isDirectory()) return root;
  } catch {
    // Reported below, with the same message as a file.
  }
  throw new UserError('E_GRADER_NOT_FOUND', `${dir}: no such grader folder; give the folder that holds grader.yaml`);
}

function readSpec(ctx: Context, file: string): { spec: GraderSpec; canonical: string } {
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

// ---- Paths: the folder is untrusted-ish, so every path must stay inside it, links included. ----

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/** Checks that `rel` names an existing file or folder inside the grader folder; returns its absolute
 * path as written (not the link target), so /box gets the name the instructor gave. */
function graderPath(ctx: Context, rel: string, field: string, kind: 'file' | 'folder'): string {
  if (isAbsolute(rel)) fail(ctx, field, `${rel} is an absolute path; give a path relative to the grader folder`);
  const path = resolve(ctx.root, rel);
  if (!isInside(ctx.root, path)) fail(ctx, field, `${rel} leaves the grader folder; keep every file inside it`);
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    fail(ctx, field, `${rel} does not exist in the grader folder; create it, or fix the path`);
  }
  // realpath resolves every link on the way, so a linked folder that leads out is caught too (CWE-59).
  if (!isInside(ctx.root, real)) fail(ctx, field, `${rel} is a symlink to ${real}, outside the grader folder; copy the file into the folder instead`);
  const stat = statSync(real);
  const ok = kind === 'file' ? stat.isFile() : stat.isDirectory();
  if (!ok) fail(ctx, field, `${rel} is not a ${kind === 'file' ? 'regular file' : 'folder'}; give a ${kind}`);
  return path;
}

const graderFile = (ctx: Context, rel: string, field: string): string => graderPath(ctx, rel, field, 'file');

function graderFiles(ctx: Context, rels: string[], field: string): string[] {
  return rels.map((rel, i) => graderFile(ctx, rel, `${field}[${i}]`));
}

// ---- Globs ----

/** Orders digit runs by value, so tests/2.in comes before tests/10.in. */
export function naturalCompare(a: string, b: string): number {
  const pa = a.split(/(\d+)/);
  const pb = b.split(/(\d+)/);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i] ?? '';
    const y = pb[i] ?? '';
    if (x === y) continue;
    // split() with a capture group puts the digit runs at the odd indexes.
    if (i % 2 === 1) {
      const nx = x.replace(/^0+(?=\d)/, '');
      const ny = y.replace(/^0+(?=\d)/, '');
      if (nx.length !== ny.length) return nx.length - ny.length;
      if (nx !== ny) return nx < ny ? -1 : 1;
      continue;
    }
    return x < y ? -1 : 1;
  }
  if (pa.length !== pb.length) return pa.length - pb.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

function globRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.');
  return new RegExp(`^${body}$`);
}

/** `tests/*.in` becomes [[tests/1.in, tests/1.out], ...]: one folder level, wildcards in the name only. */
function expandGlob(ctx: Context, pattern: string, field: string): Array<{ stdin: string; expect: string }> {
  const folder = posix.dirname(pattern);
  const name = posix.basename(pattern);
  if (/[*?]/.test(folder)) fail(ctx, field, `${pattern}: put * and ? in the file name only, such as tests/*.in`);
  if (!name.endsWith('.in')) fail(ctx, field, `${pattern} must end in .in (each x.in is paired with x.out), such as tests/*.in`);
  const folderPath = graderPath(ctx, folder, field, 'folder');
  const match = globRegExp(name);
  const names = readdirSync(folderPath).filter((entry) => match.test(entry)).sort(naturalCompare);
  if (names.length === 0) fail(ctx, field, `${pattern} matches no file; add the test files, or fix the pattern`);
  return names.map((entry) => {
    const stdinRel = posix.join(folder, entry);
    const expectRel = `${stdinRel.slice(0, -'.in'.length)}.out`;
    const stdin = graderFile(ctx, stdinRel, field);
    if (!existsSync(resolve(ctx.root, expectRel))) {
      fail(ctx, field, `${stdinRel} has no expected output ${expectRel}; add it, or remove ${stdinRel}`);
    }
    return { stdin, expect: graderFile(ctx, expectRel, field) };
  });
}

// ---- Tests ----

function limitsFrom(base: GraderLimits, entry: LimitsEntry | undefined): GraderLimits {
  return {
    cpuMs: entry?.cpu_ms ?? base.cpuMs,
    wallMs: entry?.wall_ms ?? base.wallMs,
    memoryMb: entry?.memory_mb ?? base.memoryMb,
    outputKb: entry?.output_kb ?? base.outputKb,
  };
}

/** Rules the schema cannot say: which keys go together in one test entry. */
function checkEntry(ctx: Context, spec: GraderSpec, entry: TestEntry, field: string): void {
  if (entry.glob !== undefined) {
    for (const key of ['name', 'stdin', 'expect'] as const) {
      if (entry[key] !== undefined) fail(ctx, `${field}.${key}`, `a glob entry takes its ${key === 'name' ? 'names' : 'files'} from the matched files; drop ${key}, or drop glob`);
    }
  } else if (entry.expect === undefined && entry.checker !== 'custom') {
    fail(ctx, `${field}.expect`, 'missing; give the expected output file (such as tests/1.out), or use glob, or checker: custom');
  }
  if (entry.tolerance !== undefined && entry.checker !== 'float') {
    fail(ctx, `${field}.tolerance`, `only checker float uses a tolerance (this test's checker is ${entry.checker}); drop it, or set checker: float`);
  }
  if (entry.checker === 'custom' && !spec.custom_checker) {
    fail(ctx, `${field}.checker`, 'custom needs a top-level custom_checker: { run: [...], files: [...] }; add it, or pick exact, lines, tokens or float');
  }
}

/** One test entry becomes one test, or one per file its glob matches. */
function entryTests(ctx: Context, spec: GraderSpec, entry: TestEntry, field: string, limits: GraderLimits): GraderTest[] {
  checkEntry(ctx, spec, entry, field);
  const common = {
    args: entry.args,
    checker: entry.checker,
    tolerance: entry.tolerance ?? DEFAULT_TOLERANCE,
    points: entry.points,
    visibility: entry.visibility,
    limits: limitsFrom(limits, entry.limits),
    files: graderFiles(ctx, entry.files, `${field}.files`),
  };
  if (entry.glob !== undefined) {
    return expandGlob(ctx, entry.glob, `${field}.glob`).map((pair) => ({ name: stem(pair.stdin), ...pair, ...common }));
  }
  const stdin = entry.stdin === undefined ? undefined : graderFile(ctx, entry.stdin, `${field}.stdin`);
  const expect = entry.expect === undefined ? undefined : graderFile(ctx, entry.expect, `${field}.expect`);
  const name = entry.name ?? (stdin ? stem(stdin) : expect ? stem(expect) : undefined);
  if (name === undefined) fail(ctx, `${field}.name`, 'missing; a test without stdin or expect needs a name');
  return [{ name, stdin, expect, ...common }];
}

function stem(path: string): string {
  return basename(path, extname(path));
}

function ioTests(ctx: Context, spec: GraderSpec, limits: GraderLimits): GraderTest[] {
  if (spec.harness) fail(ctx, 'harness', 'only mode: harness uses it; drop it, or set mode: harness (and drop tests)');
  if (!spec.tests || spec.tests.length === 0) fail(ctx, 'tests', 'missing; list at least one test, such as - { stdin: tests/1.in, expect: tests/1.out }');
  const seen = new Map<string, string>();
  const tests: GraderTest[] = [];
  spec.tests.forEach((entry, i) => {
    const field = `tests[${i}]`;
    for (const test of entryTests(ctx, spec, entry, field, limits)) {
      const first = seen.get(test.name);
      if (first !== undefined) {
        fail(ctx, `${field}.${entry.glob !== undefined ? 'glob' : 'name'}`,
          `the test name "${test.name}" is also used by ${first}; give each test its own name (a glob test is named after its file, such as 1 for tests/1.in)`);
      }
      seen.set(test.name, field);
      tests.push(test);
    }
  });
  return tests;
}

function harnessOf(ctx: Context, spec: GraderSpec): Harness {
  if (spec.tests) fail(ctx, 'tests', 'mode: harness takes its tests from the harness results; drop tests, or drop mode: harness');
  if (!spec.harness) fail(ctx, 'harness', 'missing; mode: harness needs harness: { files: [...], run: [...] }');
  const candidate = spec.harness.candidate;
  return { files: graderFiles(ctx, spec.harness.files, 'harness.files'), run: spec.harness.run,
    candidate: { run: candidate?.run, files: graderFiles(ctx, candidate?.files ?? [], 'harness.candidate.files') },
    results: posix.normalize(spec.harness.results), maxScore: spec.harness.max_score ?? 1 };
}

// ---- Digest ----

/** sha256 over the canonical grader.yaml and every named file, sorted by path; each part is framed
 * with its name and length so no two different folders hash alike. */
function graderDigest(root: string, canonical: string, paths: string[]): string {
  const hash = createHash('sha256');
  hash.update(`grader.yaml\0${Buffer.byteLength(canonical)}\0${canonical}`);
  const rels = [...new Set(paths.map((p) => relative(root, p).split(sep).join('/')))].sort();
  for (const rel of rels) {
    const bytes = readFileSync(join(root, rel));
    hash.update(`\0${rel}\0${bytes.length}\0`);
    hash.update(bytes);
  }
  return hash.digest('hex');
}

/** Every file the definition names (absolute paths as written, maybe repeated): what its digest covers besides grader.yaml. */
export function referencedFiles(def: Omit<GraderDefinition, 'digest'>): string[] {
  return [
    ...def.files,
    ...def.tests.flatMap((t) => [...(t.stdin ? [t.stdin] : []), ...(t.expect ? [t.expect] : []), ...t.files]),
    ...(def.customChecker?.files ?? []),
    ...(def.harness?.files ?? []),
    ...(def.harness?.candidate.files ?? []),
  ];
}

// ---- The entry point ----

/** Reads and checks `dir/grader.yaml` and every file it names. Throws a UserError: E_GRADER_INVALID
 * for a bad file, E_GRADER_NOT_FOUND when there is no grader.yaml. */
export function loadGrader(dir: string): GraderDefinition {
  const root = graderRoot(dir);
  const ctx: Context = { root, label: pathLabel(join(root, 'grader.yaml')) };
  const { spec, canonical } = readSpec(ctx, join(root, 'grader.yaml'));
  const limits = limitsFrom(DEFAULT_GRADER_LIMITS, spec.limits);
  const definition: Omit<GraderDefinition, 'digest'> = {
    dir: root,
    language: spec.language,
    mode: spec.mode,
    limits,
    build: spec.build,
    run: spec.run,
    files: graderFiles(ctx, spec.files, 'files'),
    tests: spec.mode === 'io' ? ioTests(ctx, spec, limits) : [],
    customChecker: spec.custom_checker
      ? { run: spec.custom_checker.run, files: graderFiles(ctx, spec.custom_checker.files, 'custom_checker.files') }
      : undefined,
    harness: spec.mode === 'harness' ? harnessOf(ctx, spec) : undefined,
  };
  return { ...definition, digest: graderDigest(root, canonical, referencedFiles(definition)) };
}

