// The dashboard in Debian's Chromium, as an instructor uses it from start to end: sign in, create a
// course, upload a grader zip, self-test it, publish, make a portal key; a submission uploaded
// through the portal API is watched until it is graded, live; opened, regraded; a forbidden-syscall
// submission's incident opened and its evidence downloaded (sha256 checked); the queue seen live;
// the key revoked; sign out. Screenshots of the main pages go to test-output/screenshots/.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { Page } from 'playwright-core';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { startLocalService, type LocalService } from '../../services/bench/local-service.js';
import { uploadSubmission, waitUntilGraded } from '../../services/bench/portal-client.js';
import { fromPackageRoot } from '../../services/common/package-root.js';
import { launchChromium, SCREENSHOTS, type TestBrowser } from '../support/chromium.js';
import { addAccount, graderZip, signIn, type Account } from '../support/dashboard-fixtures.js';

const SUM_C = fromPackageRoot('graders', 'sum-c');
const ACCEPTED = readFileSync(join(SUM_C, 'submissions', 'accepted.c'));
// Right answers, each after 0.4 s asleep: slow enough that the page sees the grading under way.
const SLOW_ACCEPTED = ACCEPTED.toString().replace('#include <stdio.h>', '#include <stdio.h>\n#include <time.h>')
  .replace('printf(', 'nanosleep(&(struct timespec){ 0, 400000000 }, 0); printf(');

let service: LocalService;
let browser: TestBrowser;
let page: Page;
let admin: Account;
let portalKey = '';
let submissionId = '';

test.before(async () => {
  service = await startLocalService({ workers: 1 });
  browser = await launchChromium();
  page = await browser.newPage();
  admin = await addAccount(service, 'ada@example.edu', { admin: true });
  console.log(`screenshots: ${SCREENSHOTS}`);
});
test.after(async () => {
  await browser?.close();
  await service?.stop();
});

const url = (path: string) => `${service.url}${path}`;

test('sign in, then create a course', async () => {
  await signIn(page, service, admin);
  await page.getByLabel('Id').fill('web101');
  await page.getByLabel('Name').fill('Web 101');
  await Promise.all([page.waitForURL(url('/courses/web101')), page.getByRole('button', { name: 'Create course' }).click()]);
  assert.match(await page.locator('h1').innerText(), /Web 101 \(web101\)/);
});

test('upload a grader zip: a draft assignment with its tests and samples', async () => {
  await page.getByLabel('Name').fill('sum');
  await page.getByLabel('Grader (.zip)').setInputFiles({ name: 'sum-c.zip', mimeType: 'application/zip', buffer: graderZip(SUM_C, ['accepted.c', 'wrong.c', 'forbidden.c']) });
  await Promise.all([page.waitForURL(url('/courses/web101/assignments/sum')), page.getByRole('button', { name: 'Upload grader' }).click()]);
  assert.is(await page.locator('#assignment-state').innerText(), 'draft');
  const tests = await page.locator('table').first().innerText();
  assert.match(tests, /sample\tvisible/);
  assert.match(tests, /hidden/);
});

test('self-test it (followed live), then publish', async () => {
  await page.getByRole('button', { name: 'Run the self-test' }).click();
  await page.locator('#self-test-status', { hasText: /passed|failed/ }).waitFor({ timeout: 30_000 });
  assert.match(await page.locator('#self-test-status').innerText(), /Self-test passed/);
  await browser.screenshot(page, 'assignment');
  await page.getByRole('button', { name: 'Publish (open to submissions)' }).click();
  await page.locator('#assignment-state', { hasText: 'published' }).waitFor();
});

test('make a portal key: its secret shown once', async () => {
  await page.goto(url('/courses/web101/people'));
  await page.getByLabel('Label').fill('portal');
  await page.getByRole('button', { name: 'Make key' }).click();
  await page.locator('#new-secret').waitFor({ state: 'visible' });
  portalKey = await page.locator('#new-secret').innerText();
  assert.match(portalKey, /^gbx_web101_/);
});

test('a submission uploaded through the portal API becomes graded live on its page', async () => {
  const sent = await uploadSubmission({ url: service.url, key: portalKey }, { assignment: 'sum', student: 'grace' }, { 'main.c': SLOW_ACCEPTED });
  assert.is(sent.status, 202, JSON.stringify(sent.body));
  submissionId = sent.body.id!;
  await page.goto(url(`/submissions/${submissionId}`));
  assert.is(await page.locator('[data-live-submission]').count(), 1, 'the page opened while it was grading, and follows it');
  // The script reloads the page once the graded event arrives; the test does not navigate.
  await page.locator('#submission-verdict', { hasText: 'AC' }).waitFor({ timeout: 30_000 });
  assert.match(await page.locator('ol.source').innerText(), /nanosleep/);
  assert.match(await page.locator('table').first().innerText(), /sample\tvisible\tAC\t1 \/ 1/);
  await browser.screenshot(page, 'submission');
});

test('regrade it: a second grading, followed live', async () => {
  await page.getByRole('button', { name: 'Regrade' }).click();
  await page.getByText('Grading 2,').waitFor({ timeout: 30_000 });
  assert.match(await page.locator('#submission-verdict').innerText(), /AC/);
  assert.match(await page.locator('details').first().innerText(), /Earlier gradings \(1\)/);
});

test('a forbidden-syscall submission: its incident, and the evidence downloaded with its sha256 checked', async () => {
  const sent = await uploadSubmission({ url: service.url, key: portalKey }, { assignment: 'sum', student: 'mallory' }, { 'main.c': readFileSync(join(SUM_C, 'submissions', 'forbidden.c')) });
  assert.is((await waitUntilGraded({ url: service.url, key: portalKey }, sent.body.id!, 60_000)).result.verdict, 'SV');
  await page.goto(url(`/submissions/${sent.body.id}`));
  const banner = page.locator('.banner');
  assert.match(await banner.innerText(), /forbidden system call/);
  await Promise.all([page.waitForURL(/\/incidents\/\d+$/), banner.getByRole('link').first().click()]);
  assert.match(await page.locator('h1').innerText(), /ptrace/);
  const shown = /sha256 ([0-9a-f]{64})/.exec(await page.locator('main').innerText())?.[1];
  assert.ok(shown, 'the page names the archive\'s sha256');
  await browser.screenshot(page, 'incident');
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#evidence-link').click()]);
  const archive = readFileSync((await download.path())!);
  assert.is(createHash('sha256').update(archive).digest('hex'), shown);
});

test('the queue and workers page updates live', async () => {
  await page.goto(url('/queue'));
  const first = await page.locator('[data-updated]').innerText();
  await page.locator('[data-updated]', { hasNotText: first }).waitFor({ timeout: 10_000 });
  assert.match(await page.locator('main').innerText(), /Workers/);
  assert.ok(await page.locator('[data-workers] tr').count() >= 1, 'the worker is listed');
  await browser.screenshot(page, 'queue');
});

test('the course page counts verdicts and draws the scores', async () => {
  await page.goto(url('/courses/web101'));
  assert.match(await page.locator('table').innerText(), /AC 1 · SV 1/);
  assert.is(await page.locator('svg.histogram rect').count(), 10);
  await browser.screenshot(page, 'course');
  await page.goto(url('/'));
  await browser.screenshot(page, 'courses');
});

test('revoke the key: the portal API refuses it at once', async () => {
  await page.goto(url('/courses/web101/people'));
  await page.getByRole('button', { name: 'Revoke' }).click();
  await page.getByText(/revoked/).first().waitFor();
  await browser.screenshot(page, 'people');
  const refused = await uploadSubmission({ url: service.url, key: portalKey }, { assignment: 'sum', student: 'grace' }, { 'main.c': ACCEPTED });
  assert.is(refused.status, 401);
});

test('a phone-sized screen: the submission page needs no sideways scrolling of the page itself', async () => {
  const phone = await browser.newPage({ width: 390, height: 844 });
  await phone.goto(url(`/submissions/${submissionId}`));
  const overflow = await phone.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth') as number;
  assert.ok(overflow <= 0, `the page is ${overflow} px wider than the phone`);
  await browser.screenshot(phone, 'submission-phone');
  await phone.close();
});

test('sign out: the dashboard asks to sign in again', async () => {
  await Promise.all([page.waitForURL(url('/signin')), page.getByRole('button', { name: 'Sign out' }).click()]);
  await page.goto(url('/courses/web101'));
  assert.ok(page.url().startsWith(url('/signin')), page.url());
});

test.run();
