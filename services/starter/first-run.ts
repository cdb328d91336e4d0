// The first start of a fresh data folder: a `demo` course with every example grader as an
// assignment, and its first course key, printed once (only its hash is kept), with how to revoke
// it and how to make an account to sign in with.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { fromPackageRoot } from '../common/package-root.js';
import { snapshotGrader, type MadeSnapshot } from '../grading/grader-snapshot.js';
import type { Store } from '../store/store.js';
import { DEFAULT_STORE_OPTIONS } from '../store/store-options.js';

export const DEMO_COURSE = 'demo';

/** An example grader, snapshotted, named after its folder. */
export interface ExampleGrader {
  name: string;
  snapshot: MadeSnapshot;
}

/**
 * Snapshots the package's example graders. Called while still root, before the API drops to the
 * service account: that account need not be able to read the package.
 */
export async function snapshotExampleGraders(gradersDir = fromPackageRoot('graders')): Promise<ExampleGrader[]> {
  const examples: ExampleGrader[] = [];
  for (const name of readdirSync(gradersDir).sort()) {
    const dir = join(gradersDir, name);
    if (existsSync(join(dir, 'grader.yaml'))) examples.push({ name, snapshot: await snapshotGrader(dir, DEFAULT_STORE_OPTIONS.maxBlobBytes) });
  }
  return examples;
}

/** Sets up the demo course when the store has no course yet; returns the new key's secret, or null. */
export async function firstRun(store: Store, examples: ExampleGrader[], print: (line: string) => void): Promise<string | null> {
  if ((await store.listCourses()).length > 0) return null;
  await store.createCourse(DEMO_COURSE, 'Demo course (the example graders)');
  for (const { name, snapshot } of examples) {
    await store.addGraderSnapshot(snapshot);
    await store.addAssignment(DEMO_COURSE, name, snapshot.sourceDir, snapshot.digest);
  }
  const { secret, key } = await store.createApiKey(DEMO_COURSE, 'first key');
  print(`course ${DEMO_COURSE}: assignments ${examples.map((e) => e.name).join(', ')}`);
  print('to sign in to the dashboard (/ of the API), make an account first: gradebox users add --email YOU --role admin (it prints a password)');
  print(`the demo key below is a course portal's; once you have your own, revoke it: gradebox keys revoke --id ${key.id}`);
  print('the course key (shown once; gradebox keys create --course demo makes more):');
  print(secret);
  return secret;
}
