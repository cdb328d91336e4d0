// A grader's tests (mode io) or its harness (mode harness), built from the checked grader.yaml:
// the rules across fields the schema cannot say, files checked, globs expanded, limits merged.
import { basename, extname, posix } from 'node:path';

import { DEFAULT_TOLERANCE, type FloatTolerance } from './checkers.js';
import type { GraderLimits, GraderSpec, GraderTest, Harness, LimitsEntry, TestEntry } from './grader-definition.js';
import { invalidField, type GraderContext } from './grader-errors.js';
import { graderFile, graderFiles } from './grader-paths.js';
import { expandGlob } from './test-globs.js';

export function limitsFrom(base: GraderLimits, entry: LimitsEntry | undefined): GraderLimits {
  return {
    cpuMs: entry?.cpu_ms ?? base.cpuMs,
    wallMs: entry?.wall_ms ?? base.wallMs,
    memoryMb: entry?.memory_mb ?? base.memoryMb,
    outputKb: entry?.output_kb ?? base.outputKb,
  };
}

/** Rules the schema cannot say: which keys go together in one test entry. */
function checkEntry(ctx: GraderContext, spec: GraderSpec, entry: TestEntry, field: string): void {
  if (entry.glob !== undefined) {
    for (const key of ['name', 'stdin', 'expect'] as const) {
      if (entry[key] !== undefined) invalidField(ctx, `${field}.${key}`, `a glob entry takes its ${key === 'name' ? 'names' : 'files'} from the matched files; drop ${key}, or drop glob`);
    }
  } else if (entry.expect === undefined && entry.checker !== 'custom' && spec.mode !== 'interactive') {
    invalidField(ctx, `${field}.expect`, 'missing; give the expected output file (such as tests/1.out), or use glob, or checker: custom');
  }
  if (entry.tolerance !== undefined && entry.checker !== 'float') {
    invalidField(ctx, `${field}.tolerance`, `only checker float uses a tolerance (this test's checker is ${entry.checker}); drop it, or set checker: float`);
  }
  if (entry.space_change_sensitive !== undefined && entry.checker !== 'tokens' && entry.checker !== 'float') {
    invalidField(ctx, `${field}.space_change_sensitive`, `only checkers tokens and float compare whitespace this way (this test's checker is ${entry.checker}); drop it, or use exact`);
  }
  if (entry.case_sensitive !== undefined && entry.checker === 'custom') {
    invalidField(ctx, `${field}.case_sensitive`, 'a custom checker decides for itself; drop case_sensitive');
  }
  if (entry.checker === 'custom' && !spec.custom_checker) {
    invalidField(ctx, `${field}.checker`, 'custom needs a top-level custom_checker: { run: [...], files: [...] }; add it, or pick exact, lines, tokens or float');
  }
}

/** One test entry becomes one test, or one per file its glob matches. */
function entryTests(ctx: GraderContext, spec: GraderSpec, entry: TestEntry, field: string, limits: GraderLimits): GraderTest[] {
  checkEntry(ctx, spec, entry, field);
  const common = {
    args: entry.args,
    checker: entry.checker,
    tolerance: toleranceOf(entry.tolerance),
    caseSensitive: entry.case_sensitive ?? true,
    spaceChangeSensitive: entry.space_change_sensitive ?? false,
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
  if (name === undefined) invalidField(ctx, `${field}.name`, 'missing; a test without stdin or expect needs a name');
  return [{ name, stdin, expect, ...common }];
}

/** A number is both kinds; a mapping names one kind or both (absent: that kind does not apply). */
function toleranceOf(given: TestEntry['tolerance']): number | FloatTolerance {
  if (given === undefined) return DEFAULT_TOLERANCE;
  if (typeof given === 'number') return given;
  return { absolute: given.absolute ?? null, relative: given.relative ?? null };
}

function stem(path: string): string {
  return basename(path, extname(path));
}

export function ioTests(ctx: GraderContext, spec: GraderSpec, limits: GraderLimits): GraderTest[] {
  if (spec.harness) invalidField(ctx, 'harness', 'only mode: harness uses it; drop it, or set mode: harness (and drop tests)');
  if (!spec.tests || spec.tests.length === 0) invalidField(ctx, 'tests', 'missing; list at least one test, such as - { stdin: tests/1.in, expect: tests/1.out }');
  const seen = new Map<string, string>();
  const tests: GraderTest[] = [];
  spec.tests.forEach((entry, i) => {
    const field = `tests[${i}]`;
    for (const test of entryTests(ctx, spec, entry, field, limits)) {
      const first = seen.get(test.name);
      if (first !== undefined) {
        invalidField(ctx, `${field}.${entry.glob !== undefined ? 'glob' : 'name'}`,
          `the test name "${test.name}" is also used by ${first}; give each test its own name (a glob test is named after its file, such as 1 for tests/1.in)`);
      }
      seen.set(test.name, field);
      tests.push(test);
    }
  });
  return tests;
}

export function harnessOf(ctx: GraderContext, spec: GraderSpec): Harness {
  if (spec.tests) invalidField(ctx, 'tests', 'mode: harness takes its tests from the harness results; drop tests, or drop mode: harness');
  if (!spec.harness) invalidField(ctx, 'harness', 'missing; mode: harness needs harness: { files: [...], run: [...] }');
  if (spec.stop_on_failure) invalidField(ctx, 'stop_on_failure', 'a harness runs its tests itself, in one sandbox; drop stop_on_failure, or drop mode: harness');
  const candidate = spec.harness.candidate;
  return { files: graderFiles(ctx, spec.harness.files, 'harness.files'), run: spec.harness.run,
    candidate: { run: candidate?.run, files: graderFiles(ctx, candidate?.files ?? [], 'harness.candidate.files') },
    results: posix.normalize(spec.harness.results), maxScore: spec.harness.max_score ?? 1 };
}
