// A submission's source files for one language: its top-level regular files with the language's
// extensions, each read without following a link and checked to be text. A compiler fed a binary
// answers with pages of noise; the student gets one sentence instead, and so for an empty
// submission or one with no file of the language (another language's, a notebook, a folder).
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';

import { listed } from '../../common/listed.js';
import type { LanguageRecord } from './language-record.js';
import { languageRecords } from './registry.js';
import { SubmissionFault } from './submission-fault.js';

export interface SourceFiles {
  /** Every top-level name of the submission, sorted. */
  names: string[];
  /** Its source files of the language, sorted. */
  sources: string[];
  /** Each source file's text (a UTF-8 byte order mark dropped). */
  texts: ReadonlyMap<string, string>;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** `sum.java (java)`, `src/ (a folder)`: how a top-level entry is named to the student. */
function described(dir: string, name: string): string {
  if (lstatSync(join(dir, name)).isDirectory()) return `${name}/ (a folder: source files go at the top of the submission)`;
  const other = languageRecords().find((record) => record.extensions.includes(extname(name)));
  return other ? `${name} (${other.name})` : name;
}

/** `.py`; `.cc, .cpp or .cxx`. */
export function extensionsOf(record: Pick<LanguageRecord, 'extensions'>): string {
  return listed(record.extensions, { conjunction: 'or' });
}

function noSource(dir: string, names: string[], record: LanguageRecord): SubmissionFault {
  const extensions = extensionsOf(record);
  return new SubmissionFault('E_SUBMISSION_NO_SOURCE',
    `This assignment is graded as ${record.name}, but the submission has no ${extensions} file: it has ${listed(names.map((name) => described(dir, name)))}. `
    + `Submit your program as ${extensions} source files.`);
}

/** The file's text, or a fault saying why it is not a source file. */
function readText(dir: string, name: string): string {
  let fd: number;
  try {
    fd = openSync(join(dir, name), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    throw new SubmissionFault('E_SUBMISSION_NOT_TEXT', `${name} is not a file (a link, or unreadable): submit the source file itself.`);
  }
  try {
    if (!fstatSync(fd).isFile()) throw new SubmissionFault('E_SUBMISSION_NOT_TEXT', `${name} is not a file: submit the source file itself.`);
    const bytes = readFileSync(fd);
    if (bytes.includes(0)) throw notText(name, 'it holds NUL bytes, as compiled programs and documents do');
    try {
      return UTF8.decode(bytes);
    } catch {
      throw notText(name, 'it is not valid UTF-8');
    }
  } finally {
    closeSync(fd);
  }
}

function notText(name: string, why: string): SubmissionFault {
  return new SubmissionFault('E_SUBMISSION_NOT_TEXT', `${name} is not source code (${why}): submit the program's source, saved as UTF-8 text.`);
}

/**
 * A compiler reads a command-line word that starts with - as an option and one that starts with @
 * as a file of more options (gcc, javac); gcc even hands cc1 `-dumpbase @NAME` for a source
 * `./@NAME`, which cc1 expands again. A file `@opts.c` beside an `opts.c` holding `-wrapper
 * /bin/sh,./x` would run the submission's script in the build, so such a name is refused.
 */
function checkName(name: string): void {
  if (name.startsWith('-') || name.startsWith('@')) {
    throw new SubmissionFault('E_SUBMISSION_NAME', `${name}: a source file's name may not start with - or @ (compilers read such a word as options): rename it.`);
  }
}

/** Reads the submission folder `dir` for `record`'s language; throws a SubmissionFault when it has nothing to build. */
export function readSources(dir: string, record: LanguageRecord): SourceFiles {
  const names = readdirSync(dir).sort();
  if (names.length === 0) throw new SubmissionFault('E_SUBMISSION_EMPTY', 'The submission is empty: it has no file. Submit your program\'s source files.');
  const sources = names.filter((name) => record.extensions.includes(extname(name)));
  if (sources.length === 0) throw noSource(dir, names, record);
  sources.forEach(checkName);
  return { names, sources, texts: new Map(sources.map((name) => [name, readText(dir, name)])) };
}
