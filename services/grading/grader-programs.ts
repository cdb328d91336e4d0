// A grader's own programs as grader.yaml names them (custom_checker, interactor): a command with
// its files, or a folder (`dir`) built once as a language, given or told by its files' extensions.
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

import type { CustomChecker, GraderProgram, GraderSpec, ProgramEntry } from './grader-definition.js';
import { invalidField, type GraderContext } from './grader-errors.js';
import { graderFile, graderFiles, graderPath } from './grader-paths.js';
import { LANGUAGES } from './languages/registry.js';
import { languageOfFiles } from './program-language.js';

/** Every file under `folder` (a folder of the grader), sorted; each one checked as a named file. */
function filesUnder(ctx: GraderContext, folder: string, field: string): string[] {
  const names = readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => !entry.isDirectory())
    .map((entry) => relative(ctx.root, join(entry.parentPath, entry.name)))
    .sort();
  if (names.length === 0) invalidField(ctx, field, 'the folder is empty; put the program\'s source files in it');
  return names.map((name) => graderFile(ctx, name, field));
}

function folderProgram(ctx: GraderContext, entry: ProgramEntry & { dir: string }, field: string): GraderProgram {
  if (entry.files.length > 0) invalidField(ctx, `${field}.files`, 'a program given as dir takes every file of its folder; drop files, or drop dir');
  const root = graderPath(ctx, entry.dir, `${field}.dir`, 'folder');
  const files = filesUnder(ctx, root, `${field}.dir`);
  let language = entry.language;
  if (language === undefined) {
    const guess = languageOfFiles(readdirSync(root), LANGUAGES);
    if (guess.kind !== 'one') {
      const found = guess.kind === 'several' ? `it has files of ${guess.languages.join(' and ')}` : 'none of its files is a source file gradebox knows';
      invalidField(ctx, `${field}.dir`, `cannot tell the language of ${entry.dir} (${found}); add language: to ${field}`);
    }
    language = guess.language;
  }
  return { run: entry.run, files, root, language, args: entry.args };
}

function program(ctx: GraderContext, entry: ProgramEntry, field: string): GraderProgram {
  if (entry.dir !== undefined) return folderProgram(ctx, { ...entry, dir: entry.dir }, field);
  if (entry.language !== undefined) invalidField(ctx, `${field}.language`, 'only a program given as a folder is built; add dir: with its sources, or drop language');
  if (entry.run === undefined) invalidField(ctx, `${field}.run`, 'missing; give run: [...] with its files, or dir: with the program\'s folder');
  return { run: entry.run, files: graderFiles(ctx, entry.files, `${field}.files`), root: ctx.root, args: entry.args };
}

export function customCheckerOf(ctx: GraderContext, spec: GraderSpec): CustomChecker | undefined {
  if (!spec.custom_checker) return undefined;
  return { ...program(ctx, spec.custom_checker, 'custom_checker'), protocol: spec.custom_checker.protocol };
}

export function interactorOf(ctx: GraderContext, spec: GraderSpec): GraderProgram | undefined {
  if (spec.mode !== 'interactive') {
    if (spec.interactor) invalidField(ctx, 'interactor', 'only mode: interactive uses it; drop it, or set mode: interactive');
    return undefined;
  }
  if (!spec.interactor) invalidField(ctx, 'interactor', 'missing; mode: interactive needs interactor: { dir: ... } (the program that talks with the submission)');
  if (spec.custom_checker) invalidField(ctx, 'custom_checker', 'in mode interactive the interactor decides each test; drop custom_checker');
  return program(ctx, spec.interactor, 'interactor');
}
