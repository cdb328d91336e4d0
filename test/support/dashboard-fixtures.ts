// For the dashboard's browser tests: an account made with `gradebox users add` (as an operator
// makes the first admin), signing in through the form, a grader folder zipped for upload.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Page } from 'playwright-core';

import { CLI, type LocalService } from '../../services/bench/local-service.js';
import type { CourseRole } from '../../services/store/store.js';

export interface Account {
  email: string;
  password: string;
}

/** An admin, or a person with a role in a course, made in the service's store by `gradebox users add`: its password is the last line printed. */
export function addAccount(service: LocalService, email: string, grant: { admin: true } | { course: string; role: CourseRole }): Account {
  const role = 'admin' in grant ? ['--role', 'admin'] : ['--role', grant.role, '--course', grant.course];
  const printed = execFileSync(process.execPath, [CLI, 'users', 'add', '--email', email, ...role, '--data', service.dataDir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return { email, password: printed.trim().split('\n').pop()! };
}

/** Signs in through the form at /signin, as a person would, and waits for the dashboard. */
export async function signIn(page: Page, service: LocalService, account: Account): Promise<void> {
  await page.goto(`${service.url}/`);
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await Promise.all([page.waitForURL(`${service.url}/`), page.getByRole('button', { name: 'Sign in' }).click()]);
}

/**
 * A grader of graders/ as the zip an instructor uploads: grader.yaml, its tests, and only the sample
 * submissions named (with their expected verdicts), so the self-test stays short.
 */
export function graderZip(graderDir: string, samples: string[]): Buffer {
  const work = mkdtempSync(join(tmpdir(), 'gradebox-zip-'));
  try {
    const folder = join(work, 'grader');
    cpSync(graderDir, folder, { recursive: true, filter: (path) => !path.includes('/submissions/') || samples.some((s) => path.endsWith(`/submissions/${s}`)) });
    const expected = JSON.parse(readFileSync(join(graderDir, 'submissions', 'expected.json'), 'utf8')) as Record<string, string>;
    writeFileSync(join(folder, 'submissions', 'expected.json'), JSON.stringify(Object.fromEntries(samples.map((s) => [s, expected[s]]))));
    execFileSync('zip', ['-qr', join(work, 'grader.zip'), '.'], { cwd: folder });
    return readFileSync(join(work, 'grader.zip'));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
