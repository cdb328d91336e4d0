// The dashboard in Debian's Chromium, as an instructor uses it from start to end: sign in, create a
// course, upload a grader zip, self-test it, publish, make a portal key; a submission uploaded
// through the portal API is watched until it is graded, live; opened, regraded; a forbidden-syscall
// submission's incident opened, its evidence downloaded (sha256 checked) and triaged; the queue
// seen live; the key revoked; the pages read without JavaScript; sign out. Then its walls: a submission whose source and output carry <script>
// and an onerror handler is shown as text and runs nothing (escaping, and the CSP behind it); a
// change without the session's CSRF token is refused, and so is sign-out; a TA sees no grader
// controls and the staff API refuses the TA's own, token-carrying request to replace the grader.
// One service and one browser for the file. Screenshots of the main pages go to test-output/screenshots/.
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
// Right answers, each after 0.5 s asleep: slow enough that the page sees the grading under way.
const SLOW_ACCEPTED = ACCEPTED.toString().replace('#include <stdio.h>', '#include <stdio.h>\n#include <time.h>')
  .replace('printf(', 'nanosleep(&(struct timespec){ 0, 500000000 }, 0); printf(');

// Prints markup that would run script if a page pasted it in as HTML; the same markup sits in a comment.
const MARKUP = '<script>window.pwned = 1; document.title = "pwned"</script><img src=x onerror="window.pwned = 2">';
const HOSTILE = `/* ${MARKUP} */\n#include <stdio.h>\nint main(void) { puts(${JSON.stringify(MARKUP)}); return 0; }\n`;

let service: LocalService;
let browser: TestBrowser;
let page: Page;
let admin: Account;
let portalKey = '';
let submissionId = '';
let hostileId = '';

test.before(async () => {
  service = await startLocalService({ workers: 2 });
  browser = await launchChromium();
  page = await browser.newPage();
  admin = addAccount(service, 'ada@example.edu', { admin: true });
  // Graded while the walk goes on (the demo course's sum-c, with the demo key).
  const hostile = await uploadSubmission(service, { assignment: 'sum-c', student: 'mallory' }, { 'main.c': HOSTILE });
  hostileId = hostile.body.id!;
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
  await page.locator('[data-live-submission]', { hasText: /tests? judged/ }).waitFor({ timeout: 20_000 });
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
  assert.is(await page.locator('caption', { hasText: 'What the sandbox could write' }).count(), 1, 'the evidence manifest is listed');
  await browser.screenshot(page, 'incident');
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#evidence-link').click()]);
  const archive = readFileSync((await download.path())!);
  assert.is(createHash('sha256').update(archive).digest('hex'), shown);
});

test('triage the incident: reviewed, with a note', async () => {
  await page.getByLabel('State').selectOption('reviewed');
  await page.getByLabel('Note').fill('ptrace probe; talked to the student');
  await page.getByRole('button', { name: 'Save triage' }).click();
  await page.locator('#triage-state', { hasText: 'reviewed by user:ada@example.edu' }).waitFor();
  assert.match(await page.locator('#triage-state').innerText(), /ptrace probe; talked to the student/);
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

test('without JavaScript the pages read the same; their change forms stay hidden and a note says why', async () => {
  const plain = await browser.newPage();
  const cdp = await browser.context.newCDPSession(plain);
  await cdp.send('Emulation.setScriptExecutionDisabled', { value: true });
  await plain.goto(url('/courses/web101/assignments/sum'));
  assert.match(await plain.locator('main').innerText(), /Self-test passed[\s\S]*grace/);
  assert.is(await plain.getByRole('button', { name: 'Regrade all shown by the filter' }).count(), 0, 'hidden: nothing could send it');
  assert.ok(await plain.locator('.needs-script').first().isVisible());
  await plain.goto(url(`/submissions/${submissionId}`));
  assert.match(await plain.locator('#submission-verdict').innerText(), /AC/);
  await plain.close();
});

test('sign out: the dashboard asks to sign in again', async () => {
  await Promise.all([page.waitForURL(url('/signin')), page.getByRole('button', { name: 'Sign out' }).click()]);
  await page.goto(url('/courses/web101'));
  assert.ok(page.url().startsWith(url('/signin')), page.url());
});

const pwned = (p: Page) => p.evaluate('window.pwned') as Promise<unknown>;

test('a hostile submission\'s markup is shown as text and never runs', async () => {
  const blocked: string[] = [];
  page.on('console', (message) => { if (/Content Security Policy/i.test(message.text())) blocked.push(message.text()); });
  await waitUntilGraded(service, hostileId, 60_000);
  await signIn(page, service, admin);
  const response = await page.goto(url(`/submissions/${hostileId}`));
  assert.match(response!.headers()['content-security-policy'] ?? '', /script-src 'self'/);
  assert.match(await page.locator('#submission-verdict').innerText(), /WA/);
  assert.match(await page.locator('ol.source').innerText(), /<script>window\.pwned = 1/, 'the source shows the markup as text');
  assert.match(await page.locator('main table').first().innerText(), /<script>window\.pwned/, "the checker's words quote the output as text");
  assert.match(await page.locator('.diff').first().innerText(), /Expected, from line 1[\s\S]*Program's output, from line 1\s+<script>window\.pwned/, 'the diff shows the output as text');
  assert.is(await page.locator('main script, main img').count(), 0, 'no element was made from the submission');
  await browser.screenshot(page, 'submission-hostile');
  assert.is(await pwned(page), undefined);
  assert.is.not(await page.title(), 'pwned');
  // The second wall: markup that got in anyway (here put there by hand) still runs no inline script.
  await page.evaluate(`document.body.insertAdjacentHTML('beforeend', ${JSON.stringify(`<img src="data:," onerror="window.pwned = 3">`)})`);
  await page.waitForTimeout(200);
  assert.is(await pwned(page), undefined, 'the CSP refused the inline handler');
  assert.ok(blocked.length > 0, 'Chromium reported the refusal');
  await page.goto(url('/courses/demo/assignments/sum-c?student=mallory'));
  assert.match(await page.locator('main').innerText(), /mallory/);
  assert.is(await pwned(page), undefined);
});

/** A request made from the signed-in page's own script (the browser adds the session cookie). */
async function fetchFromPage(p: Page, path: string, init: { method: string; token?: string; body?: string; form?: string }): Promise<{ status: number; code?: string }> {
  return p.evaluate(async ({ path, init }) => {
    const headers: Record<string, string> = { 'content-type': init.form ? 'application/x-www-form-urlencoded' : 'application/json' };
    if (init.token !== undefined) headers['x-csrf-token'] = init.token;
    const response = await fetch(path, { method: init.method, headers, body: init.form ?? init.body });
    const text = await response.text();
    let code: string | undefined;
    try { code = JSON.parse(text).error?.code; } catch { code = undefined; }
    return { status: response.status, code };
  }, { path, init });
}

test('CSRF: a change without the session\'s token is refused; with it, it is made', async () => {
  const token = await page.locator('meta[name="csrf-token"]').getAttribute('content');
  const course = JSON.stringify({ id: 'csrf101', name: 'CSRF' });
  assert.equal(await fetchFromPage(page, '/v1/courses', { method: 'POST', body: course }), { status: 403, code: 'E_CSRF' });
  assert.equal(await fetchFromPage(page, '/v1/courses', { method: 'POST', body: course, token: 'x'.repeat(token!.length) }), { status: 403, code: 'E_CSRF' });
  assert.equal((await fetchFromPage(page, '/signout', { method: 'POST', form: 'csrf=forged' })).status, 403);
  await page.goto(url('/'));
  assert.ok(!page.url().includes('/signin'), 'still signed in after the refused sign-out');
  assert.equal(await fetchFromPage(page, '/v1/courses', { method: 'POST', body: course, token: token! }), { status: 201, code: undefined });
});

test('a TA sees no grader controls, and the staff API refuses the TA\'s replacement of the grader', async () => {
  const ta = addAccount(service, 'ta@example.edu', { course: 'demo', role: 'ta' });
  await Promise.all([page.waitForURL(/\/signin$/), page.getByRole('button', { name: 'Sign out' }).click()]);
  await signIn(page, service, ta);
  await page.goto(url('/courses/demo/assignments/sum-c'));
  assert.match(await page.locator('main').innerText(), /Your role \(TA\)/);
  assert.is(await page.getByRole('button', { name: 'Upload new grader' }).count(), 0);
  assert.is(await page.getByRole('button', { name: 'Regrade all shown by the filter' }).count(), 1, 'a TA may regrade');
  const zip = graderZip(SUM_C, ['accepted.c']).toString('base64');
  const token = (await page.locator('meta[name="csrf-token"]').getAttribute('content'))!;
  const answer = await page.evaluate(async ({ zip, token }) => {
    const form = new FormData();
    form.append('grader', new Blob([Uint8Array.from(atob(zip), (c) => c.charCodeAt(0))], { type: 'application/zip' }), 'grader.zip');
    const response = await fetch('/v1/courses/demo/assignments/sum-c/grader', { method: 'PUT', headers: { 'x-csrf-token': token }, body: form });
    return { status: response.status, body: await response.json() as { error: { code: string } } };
  }, { zip, token });
  assert.is(answer.status, 403);
  assert.is(answer.body.error.code, 'E_FORBIDDEN');
  await page.goto(url('/courses/demo/people'));
  assert.match(await page.locator('main').innerText(), /does not allow you to manage this course's keys/);
});

test.run();
