// Every language a grader may name, one record each (see language-record.ts): the list
// grader.yaml's `language:` is checked against, and the policy of a grader's own programs.
import { basename } from 'node:path';

import { c } from './c.js';
import { cpp } from './cpp.js';
import { go } from './go.js';
import { java } from './java.js';
import { javascript } from './javascript.js';
import type { LanguageRecord } from './language-record.js';
import { python } from './python.js';

/** In the order messages list them. */
const RECORDS = [c, cpp, python, java, javascript, go] as const;

export type Language = (typeof RECORDS)[number]['name'];
export const LANGUAGES = RECORDS.map((record) => record.name) as [Language, ...Language[]];

/** A grader's own program that no language claims is taken for a compiled one. */
const COMPILED_PROGRAM_POLICY = 'default';

export function languageRecord(name: Language): LanguageRecord<Language> {
  return RECORDS.find((record) => record.name === name)!;
}

export function languageRecords(): ReadonlyArray<LanguageRecord<Language>> {
  return RECORDS;
}

/** The seccomp policy of a grader's own program (a checker, a harness), from the program it starts. */
export function policyForProgram(program: string): string {
  const name = basename(program);
  return RECORDS.find((record) => record.programs?.test(name))?.policy ?? COMPILED_PROGRAM_POLICY;
}
