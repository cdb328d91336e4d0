// The programs of a grader's self-test and the verdict each must get: the ones submissions/expected.json
// names (`{ "wrong.c": "WA" }`), and every program (a file or a folder) in a folder of submissions/
// named for its verdict, in the Kattis problem package format's names (accepted, wrong_answer,
// time_limit_exceeded, run_time_error, rejected, ...) or by the verdict itself (ac, wa, tle, ...).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { UserError } from '../common/errors.js';
import { VERDICTS, type Verdict } from '../protocol/grade-result.js';

export interface SelfTestProgram {
  /** Relative to submissions/, as people name it: `accepted/hello.py`. */
  name: string;
  /** The file or folder graded as the submission. */
  path: string;
  /** Verdicts that agree with it (the grading's verdict: its first test that is not AC). */
  expected: Verdict[];
  /** partially_accepted: some points, not all. */
  partial: boolean;
}

const NOT_ACCEPTED: Verdict[] = ['WA', 'TLE', 'MLE', 'OLE', 'RE', 'CE', 'SV'];

/** Folder name → the verdicts a program in it may get. */
const VERDICT_FOLDERS: Record<string, Verdict[]> = {
  accepted: ['AC'],
  wrong_answer: ['WA'],
  partially_accepted: ['WA'],
  time_limit_exceeded: ['TLE'],
  run_time_error: ['RE'],
  memory_limit_exceeded: ['MLE'],
  output_limit_exceeded: ['OLE'],
  compile_error: ['CE'],
  compiler_error: ['CE'],
  security_violation: ['SV'],
  // 2023-07 and later: "at least one case is not accepted"; "never a wrong answer, but too slow or crashes".
  rejected: NOT_ACCEPTED,
  brute_force: ['TLE', 'RE', 'MLE'],
  ...Object.fromEntries(VERDICTS.filter((v) => v !== 'IE').map((v) => [v.toLowerCase(), [v]])),
};

function fromExpectedJson(submissions: string): SelfTestProgram[] {
  const file = join(submissions, 'expected.json');
  if (!existsSync(file)) return [];
  let listed: unknown;
  try {
    listed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UserError('E_SELF_TEST_INVALID', `${file}: not valid JSON (${(error as Error).message}); write { "program": "VERDICT", ... }`);
  }
  if (typeof listed !== 'object' || listed === null || Array.isArray(listed)) throw new UserError('E_SELF_TEST_INVALID', `${file}: expected an object such as { "wrong.c": "WA" }`);
  return Object.entries(listed).map(([name, verdict]) => {
    if (!(VERDICTS as readonly unknown[]).includes(verdict) || verdict === 'IE') {
      throw new UserError('E_SELF_TEST_INVALID', `${file}: "${name}": expected one of ${NOT_ACCEPTED.join(', ')} or AC, got ${JSON.stringify(verdict)}`);
    }
    if (name.split('/').includes('..') || name.startsWith('/') || !existsSync(join(submissions, name))) {
      throw new UserError('E_SELF_TEST_INVALID', `${file}: "${name}" is not a file or folder in submissions/; fix the name`);
    }
    return { name, path: join(submissions, name), expected: [verdict as Verdict], partial: false };
  });
}

/** Hidden entries (a leading dot) are left out, as the Kattis format leaves them out. */
function visibleEntries(folder: string): string[] {
  return readdirSync(folder).filter((name) => !name.startsWith('.')).sort();
}

function fromVerdictFolders(submissions: string): SelfTestProgram[] {
  return visibleEntries(submissions).flatMap((folder) => {
    const expected = VERDICT_FOLDERS[folder.toLowerCase()];
    const path = join(submissions, folder);
    if (!expected || !statSync(path).isDirectory()) return [];
    return visibleEntries(path).map((entry) => ({ name: `${folder}/${entry}`, path: join(path, entry), expected, partial: folder === 'partially_accepted' }));
  });
}

/** Every self-test program of the grader in `graderDir`, in a stable order. */
export function selfTestPrograms(graderDir: string): SelfTestProgram[] {
  const submissions = join(graderDir, 'submissions');
  if (!existsSync(submissions)) return [];
  return [...fromExpectedJson(submissions), ...fromVerdictFolders(submissions)];
}
