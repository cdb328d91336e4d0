// An instructor comes from the LMS into the dashboard, in Debian's Chromium: the LMS's course page
// (another site: localhost, where gradebox is 127.0.0.1) posts the launch into its iframe as a
// platform does after the OIDC login; the launch page in the iframe shows "Open gradebox", whose
// click opens a new top-level window that lands signed in on the placement's assignment page, with
// the instructor's controls. No cookie is set or needed inside the iframe.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { SESSION_COOKIE } from '../../services/api/session-cookie.js';
import { CLAIM } from '../../services/lti/lti-claims.js';
import type { PrivateRedis } from '../../services/queue/private-redis.js';
import { ASSIGNMENT, COURSE, startTestApi, type TestApi } from '../support/api-fixtures.js';
import { launchChromium, type TestBrowser } from '../support/chromium.js';
import { removeTempDirs } from '../support/helpers.js';
import type { SimulatedPlatform } from '../support/lti-platform.js';
import { privateRedis } from '../support/queue-fixtures.js';
import { INSTRUCTOR, connectedPlatform, learnerClaims, login } from '../lti/lti-fixtures.js';

let redis: PrivateRedis;
let api: TestApi;
let platform: SimulatedPlatform;
let browser: TestBrowser;
let lms: Server;
/** The LMS course page's HTML, set by the test before the browser opens it. */
let coursePage = '';

test.before(async () => {
  redis = await privateRedis();
  api = await startTestApi(redis);
  platform = await connectedPlatform(api);
  lms = createServer((_req, res) => { res.writeHead(200, { 'content-type': 'text/html' }).end(coursePage); });
  await new Promise<void>((resolve) => lms.listen(0, '127.0.0.1', resolve));
  browser = await launchChromium();
});
test.after(async () => {
  await browser?.close();
  lms?.closeAllConnections();
  await new Promise<void>((resolve) => lms?.close(() => resolve()) ?? resolve());
  await platform?.stop();
  await api?.service.close();
  await redis?.stop();
  removeTempDirs();
});

const escape = (text: string) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

test('launch in the LMS iframe → Open gradebox → the dashboard\'s assignment page in a new window, signed in as an instructor', async () => {
  // The login happens between the platform and gradebox; the browser then posts the platform's id token with the login's state.
  const { params } = await login(api, platform);
  const idToken = await platform.sign({ ...learnerClaims(api, platform, 'teacher-web'), name: 'Grace Hopper', email: 'grace@lms.example.edu', [CLAIM.roles]: [INSTRUCTOR], nonce: params.get('nonce') });
  coursePage = `<!doctype html><title>LMS course</title><h1>CS 101 in the LMS</h1>
<form id="launch" method="post" action="${api.url}/lti/launch" target="tool">
<input type="hidden" name="id_token" value="${escape(idToken)}"><input type="hidden" name="state" value="${escape(params.get('state')!)}"></form>
<iframe name="tool" title="gradebox" style="width:900px;height:500px"></iframe>
<script>document.getElementById('launch').submit();</script>`;
  const page = await browser.newPage();
  await page.goto(`http://localhost:${(lms.address() as AddressInfo).port}/course`);
  const tool = page.frameLocator('iframe[name=tool]');
  await tool.getByRole('button', { name: 'Open gradebox' }).waitFor();
  assert.is(await tool.getByRole('heading', { name: 'Grade passback' }).count(), 1, 'the passback view stays in the LMS');
  assert.equal((await browser.context.cookies(api.url)).filter((c) => c.name === SESSION_COOKIE), [], 'no session cookie from inside the iframe');

  const [dashboard] = await Promise.all([browser.context.waitForEvent('page'), tool.getByRole('button', { name: 'Open gradebox' }).click()]);
  await dashboard.waitForURL(`${api.url}/courses/${COURSE}/assignments/${ASSIGNMENT}`);
  assert.match(await dashboard.locator('h1').innerText(), ASSIGNMENT);
  assert.match(await dashboard.locator('header').innerText(), 'grace@lms.example.edu');
  assert.is(await dashboard.getByRole('button', { name: 'Upload new grader' }).count(), 1, 'an instructor\'s controls');
  assert.equal((await browser.context.cookies(api.url)).filter((c) => c.name === SESSION_COOKIE).map((c) => [c.httpOnly, c.sameSite]), [[true, 'Lax']]);
  await browser.screenshot(dashboard, 'lti-handoff');
  await dashboard.close();
  await page.close();
});

test.run();
