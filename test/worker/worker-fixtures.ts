// Shared by the worker tests: submissions laid out for a DirectoryBackend, log sinks, sandbox leftovers.
import { copyFileSync, cpSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Writable } from 'node:stream';

import { fromPackageRoot } from '../../services/common/package-root.js';
import { loadGrader } from '../../services/grading/load-grader.js';
import { expectedGradings } from '../support/expected-gradings.js';
import { tempDir } from '../support/helpers.js';

export const SUM_C = fromPackageRoot('graders', 'sum-c');
export const sumCDigest = (): string => loadGrader(SUM_C).digest;

/** The sample submissions of sum-c (files or folders, in submissions/) with the verdict each must get, those submitted without an entry file. */
export function sumCExpected(): Record<string, string> {
  const plain = expectedGradings(SUM_C).filter((expected) => expected.entry === undefined);
  return Object.fromEntries(plain.map((expected) => [basename(expected.submission), expected.verdict]));
}

/** A DirectoryBackend root: `submissions/<id>/` holding, for each id, its source file or the files of its folder. */
export function submissionsRoot(files: Record<string, string>): string {
  const root = tempDir('gbw-');
  for (const [id, source] of Object.entries(files)) {
    const dir = join(root, 'submissions', id);
    mkdirSync(dir, { recursive: true });
    if (statSync(source).isDirectory()) cpSync(source, dir, { recursive: true });
    else copyFileSync(source, join(dir, basename(source)));
  }
  return root;
}

/** `accepted.c` → `accepted-c`: a plain id. */
export function idOf(file: string): string {
  return file.replace(/[^A-Za-z0-9_-]/g, '-');
}

/** A pino destination that keeps the parsed lines. */
export class LogSink extends Writable {
  readonly lines: Array<Record<string, unknown>> = [];

  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) this.lines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  }
}

/** Pids whose command line or cgroup mentions `marker` (a test's own cgroup name): its launcher, supervisors and sandboxes. */
export function processesMarked(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const cgroup = readFileSync(`/proc/${entry}/cgroup`, 'utf8');
      const state = /^State:\s+(\S)/m.exec(readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1];
      if (state !== 'Z' && (cmdline.includes(marker) || cgroup.includes(marker))) pids.push(Number(entry));
    } catch {
      // it ended while we looked
    }
  }
  return pids;
}
