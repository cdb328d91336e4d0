// Reads a grader folder: its grader.yaml and every file it names, checked, into a definition with
// its digest. Errors name the file, the field and the fix.
import { realpathSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';

import { UserError } from '../common/errors.js';
import { pathLabel } from '../common/file-labels.js';
import { DEFAULT_GRADER_LIMITS, readGraderSpec, type GraderDefinition, type GraderSpec } from './grader-definition.js';
import { graderDigest, referencedFiles } from './grader-digest.js';
import { invalidField, type GraderContext } from './grader-errors.js';
import { graderFiles } from './grader-paths.js';
import { customCheckerOf, interactorOf } from './grader-programs.js';
import { harnessOf, ioTests, limitsFrom } from './grader-tests.js';
import { LANGUAGES, languageRecord, type Language } from './languages/registry.js';
import { extensionsOf } from './program-language.js';

function graderRoot(dir: string): string {
  try {
    const root = realpathSync(resolve(dir));
    if (statSync(root).isDirectory()) return root;
  } catch {
    // Reported below, with the same message as a file.
  }
  throw new UserError('E_GRADER_NOT_FOUND', `${dir}: no such grader folder; give the folder that holds grader.yaml`);
}

/** `language:` as written: one, a list, or any (every language gradebox knows). */
function languagesOf(ctx: GraderContext, spec: GraderSpec): [Language, ...Language[]] {
  const given = spec.language === 'any' ? LANGUAGES : typeof spec.language === 'string' ? [spec.language] : spec.language;
  const languages = [...new Set(given)] as [Language, ...Language[]];
  if (languages.length > 1) {
    for (const key of ['build', 'run'] as const) {
      if (spec[key]) invalidField(ctx, key, `a grader's own ${key} command is for one language, and this one takes ${languages.join(', ')}; name one language, or drop ${key}`);
    }
  }
  return languages;
}

/** The grader's entry file, which must be a source file of one of its languages. */
function entryOf(ctx: GraderContext, spec: GraderSpec, languages: readonly Language[]): string | undefined {
  if (spec.entry !== undefined && !languages.some((language) => languageRecord(language).extensions.includes(extname(spec.entry!)))) {
    const example = `main${languageRecord(languages[0]!).extensions[0]}`;
    invalidField(ctx, 'entry', `expected a ${languages.join(' or ')} source file (${extensionsOf(languages)}), such as ${example}, got ${JSON.stringify(spec.entry)}`);
  }
  return spec.entry;
}

/** Reads and checks `dir/grader.yaml` and every file it names. Throws a UserError: E_GRADER_INVALID
 * for a bad file, E_GRADER_NOT_FOUND when there is no grader.yaml. */
export function loadGrader(dir: string): GraderDefinition {
  const root = graderRoot(dir);
  const ctx: GraderContext = { root, label: pathLabel(join(root, 'grader.yaml')) };
  const { spec, canonical } = readGraderSpec(ctx, join(root, 'grader.yaml'));
  const limits = limitsFrom(DEFAULT_GRADER_LIMITS, spec.limits);
  const languages = languagesOf(ctx, spec);
  const definition: Omit<GraderDefinition, 'digest'> = {
    dir: root,
    language: languages[0],
    languages,
    mode: spec.mode,
    limits,
    build: spec.build,
    run: spec.run,
    entry: entryOf(ctx, spec, languages),
    files: graderFiles(ctx, spec.files, 'files'),
    tests: spec.mode === 'harness' ? [] : ioTests(ctx, spec, limits),
    customChecker: customCheckerOf(ctx, spec),
    harness: spec.mode === 'harness' ? harnessOf(ctx, spec) : undefined,
    interactor: interactorOf(ctx, spec),
    stopOnFailure: spec.stop_on_failure,
  };
  return { ...definition, digest: graderDigest(root, canonical, referencedFiles(definition)) };
}
