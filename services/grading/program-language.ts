// Which language a program is written in, among the ones allowed: the one whose extensions its
// source files have (the Kattis problem package format's rule: "the language is determined by
// comparing the file extensions of the submission file(s)"; several or none and building fails).
import { extname } from 'node:path';

import { languageRecord, type Language } from './languages/registry.js';
import { extensionsOf as extensionsOfRecord } from './languages/source-files.js';

export type LanguageGuess =
  | { kind: 'one'; language: Language }
  | { kind: 'none' }
  | { kind: 'several'; languages: Language[] };

/** `names`: the program's file names (top level). */
export function languageOfFiles(names: readonly string[], candidates: readonly Language[]): LanguageGuess {
  const extensions = new Set(names.map((name) => extname(name)));
  const found = candidates.filter((language) => languageRecord(language).extensions.some((ext) => extensions.has(ext)));
  if (found.length === 1) return { kind: 'one', language: found[0]! };
  return found.length === 0 ? { kind: 'none' } : { kind: 'several', languages: found };
}

/** Every source extension of the candidates, once each. */
export function sourceExtensions(candidates: readonly Language[]): string[] {
  return [...new Set(candidates.flatMap((language) => languageRecord(language).extensions))];
}

/** The extensions of the candidates, for messages: ".c, .cc, .cpp or .py". */
export function extensionsOf(candidates: readonly Language[]): string {
  return extensionsOfRecord({ extensions: sourceExtensions(candidates) });
}
