// The first start of a fresh data folder: a `demo` course with every example grader as an
// assignment, and its first course key, printed once (only its hash is kept).
import { cpSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { fromPackageRoot } from '../common/package-root.js';
import { loadGrader } from '../grading/grader-definition.js';
import type { Store } from '../store/store.js';

export const DEMO_COURSE = 'demo';

/** Adds every grader folder under `gradersDir` to `courseId`, named after its folder. */
export async function addGraderFolders(store: Store, courseId: string, gradersDir: string): Promise<string[]> {
  const added: string[] = [];
  for (const name of readdirSync(gradersDir).sort()) {
    const dir = join(gradersDir, name);
    if (!existsSync(join(dir, 'grader.yaml'))) continue;
    const grader = loadGrader(dir);
    await store.addAssignment(courseId, name, grader.dir, grader.digest);
    added.push(name);
  }
  return added;
}

/** Where a data folder keeps its copy of the example graders. */
export function exampleGradersDir(dataDir: string): string {
  return join(dataDir, 'graders');
}

/**
 * Copies the package's example graders into the data folder (once), while still root: the API
 * serves graders to workers as the service account, which need not be able to read the package.
 */
export function copyExampleGraders(dataDir: string): void {
  const target = exampleGradersDir(dataDir);
  if (!existsSync(target)) cpSync(fromPackageRoot('graders'), target, { recursive: true, verbatimSymlinks: true });
}

/** Sets up the demo course when the store has no course yet; returns the new key's secret, or null. */
export async function firstRun(store: Store, dataDir: string, print: (line: string) => void): Promise<string | null> {
  if ((await store.listCourses()).length > 0) return null;
  await store.createCourse(DEMO_COURSE, 'Demo course (the example graders)');
  const assignments = await addGraderFolders(store, DEMO_COURSE, exampleGradersDir(dataDir));
  const { secret } = await store.createApiKey(DEMO_COURSE, 'first key');
  print(`course ${DEMO_COURSE}: assignments ${assignments.join(', ')}`);
  print('the course key (shown once; gradebox keys create --course demo makes more):');
  print(secret);
  return secret;
}
