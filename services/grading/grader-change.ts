// What changed between two snapshots of a grader, said the way an instructor re-adding an
// assignment wants to read it: tests added and removed, files added, removed and changed.
import type { GraderManifest } from '../store/store.js';

function added(now: readonly string[], before: readonly string[]): string[] {
  const old = new Set(before);
  return now.filter((name) => !old.has(name));
}

/** One line per kind of change (`tests added: a, b`); none when both hold the same. */
export function graderChanges(before: GraderManifest, now: GraderManifest): string[] {
  const oldFiles = new Map(before.files.map((f) => [f.path, f.sha256]));
  const newPaths = now.files.map((f) => f.path);
  const changedFiles = now.files.filter((f) => oldFiles.has(f.path) && oldFiles.get(f.path) !== f.sha256).map((f) => f.path);
  const lines: Array<[string, string[]]> = [
    ['tests added', added(now.tests, before.tests)],
    ['tests removed', added(before.tests, now.tests)],
    ['files added', added(newPaths, [...oldFiles.keys()])],
    ['files removed', added([...oldFiles.keys()], newPaths)],
    ['files changed', changedFiles],
  ];
  return lines.filter(([, names]) => names.length > 0).map(([label, names]) => `${label}: ${names.join(', ')}`);
}
