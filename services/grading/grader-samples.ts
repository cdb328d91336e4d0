// The sample submissions a grader folder carries in submissions/, each with the verdict it must
// get: our examples' submissions/expected.json ({"accepted.c": "AC", "folder/": "WA"}), or the
// Kattis problem package's folders (submissions/accepted/…, wrong_answer/, time_limit_exceeded/,
// run_time_error/; problemarchive.org's format, plus the names DOMjudge adds for the other verdicts).
// A sample is a file or a folder; its files are listed without following any link.
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';

import { UserError } from '../common/errors.js';
import { VERDICTS, type Verdict } from '../protocol/grade-result.js';

const KATTIS_FOLDERS: Record<string, Verdict> = {
  accepted: 'AC',
  wrong_answer: 'WA',
  time_limit_exceeded: 'TLE',
  run_time_error: 'RE',
  compile_error: 'CE',
  memory_limit_exceeded: 'MLE',
  output_limit_exceeded: 'OLE',
};

/** More samples than this is not a self-test any more. */
export const MAX_SAMPLES = 200;

export interface SampleFile {
  /** Its path in the sample (what the submission will call it). */
  path: string;
  /** Where it is in the grader folder. */
  diskPath: string;
}

export interface FolderSample {
  /** Its path under submissions/. */
  name: string;
  expectedVerdict: Verdict;
  files: SampleFile[];
}

/** Every regular file under `dir`, relative to it; links and other kinds are left out. */
function filesUnder(dir: string, prefix = ''): SampleFile[] {
  return readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name)).flatMap((entry) => {
    const diskPath = join(dir, entry.name);
    const path = prefix ? posix.join(prefix, entry.name) : entry.name;
    if (entry.isDirectory()) return filesUnder(diskPath, path);
    return entry.isFile() ? [{ path, diskPath }] : [];
  });
}

function sampleAt(submissions: string, name: string, verdict: Verdict): FolderSample | null {
  const at = join(submissions, name.replace(/\/$/, ''));
  let st;
  try {
    st = lstatSync(at);
  } catch {
    throw new UserError('E_GRADER_INVALID', `submissions/expected.json names ${JSON.stringify(name)}, which is not in submissions/; remove it or add the file`);
  }
  if (st.isFile()) return { name: name.replace(/\/$/, ''), expectedVerdict: verdict, files: [{ path: posix.basename(at), diskPath: at }] };
  if (st.isDirectory()) return { name: name.replace(/\/$/, ''), expectedVerdict: verdict, files: filesUnder(at) };
  return null;
}

function fromExpectedJson(submissions: string): FolderSample[] {
  let listed: unknown;
  try {
    listed = JSON.parse(readFileSync(join(submissions, 'expected.json'), 'utf8'));
  } catch (error) {
    throw new UserError('E_GRADER_INVALID', `submissions/expected.json is not JSON (${(error as Error).message}); write {"file": "VERDICT", …}`);
  }
  if (listed === null || typeof listed !== 'object' || Array.isArray(listed)) throw new UserError('E_GRADER_INVALID', 'submissions/expected.json must be an object: {"file": "VERDICT", …}');
  return Object.entries(listed).flatMap(([name, verdict]) => {
    if (!(VERDICTS as readonly unknown[]).includes(verdict) || name.includes('..') || name.startsWith('/')) {
      throw new UserError('E_GRADER_INVALID', `submissions/expected.json: ${JSON.stringify(name)} → ${JSON.stringify(verdict)} is not a sample and a verdict (${VERDICTS.join(' ')})`);
    }
    return [sampleAt(submissions, name, verdict as Verdict)].filter((s): s is FolderSample => s !== null);
  });
}

function fromKattisFolders(submissions: string): FolderSample[] {
  return Object.entries(KATTIS_FOLDERS).flatMap(([folder, verdict]) => {
    const dir = join(submissions, folder);
    if (!lstatSync(dir, { throwIfNoEntry: false })?.isDirectory()) return [];
    return readdirSync(dir).sort().map((entry) => sampleAt(dir, entry, verdict)).filter((s): s is FolderSample => s !== null)
      .map((sample) => ({ ...sample, name: `${folder}/${sample.name}` }));
  });
}

/** The samples of the grader folder `root` (none when it has no submissions/). */
export function graderSamples(root: string): FolderSample[] {
  const submissions = join(root, 'submissions');
  if (!lstatSync(submissions, { throwIfNoEntry: false })?.isDirectory()) return [];
  const hasList = lstatSync(join(submissions, 'expected.json'), { throwIfNoEntry: false })?.isFile();
  const samples = [...(hasList ? fromExpectedJson(submissions) : []), ...fromKattisFolders(submissions)].filter((s) => s.files.length > 0);
  if (samples.length > MAX_SAMPLES) throw new UserError('E_GRADER_INVALID', `submissions/ holds ${samples.length} samples; keep at most ${MAX_SAMPLES}`);
  return samples;
}
