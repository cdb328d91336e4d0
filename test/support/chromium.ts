// Debian's Chromium for the browser tests, driven by playwright-core (which downloads no browser of
// its own): one browser per test file, on a fresh profile in a temp folder, always closed and the
// profile removed, whatever the test did. Screenshots go to test-output/screenshots/ (git-ignored).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { chromium, type BrowserContext, type Page } from 'playwright-core';

import { fromPackageRoot } from '../../services/common/package-root.js';

export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = fromPackageRoot('test-output', 'screenshots');

// --no-sandbox: the tests run as root, where Chromium's own sandbox refuses to start. The rest keep
// the browser from reaching anything but the server under test (no updates, sync, QUIC, probes).
const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

export interface TestBrowser {
  context: BrowserContext;
  /** A new tab, 1280 px wide unless told. */
  newPage(viewport?: { width: number; height: number }): Promise<Page>;
  /** Saves a full-page screenshot as test-output/screenshots/NAME.png; returns its path. */
  screenshot(page: Page, name: string): Promise<string>;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'gradebox-chromium-'));
  let context: BrowserContext;
  try {
    // A persistent context is the one way to name the profile folder (launch() makes its own).
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1280, height: 800 }, timeout: 30_000,
    });
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
  // A page that does not come in 10 s is broken: fail fast rather than at playwright's 30 s.
  context.setDefaultTimeout(10_000);
  return {
    context,
    async newPage(viewport) {
      const page = await context.newPage();
      if (viewport) await page.setViewportSize(viewport);
      return page;
    },
    async screenshot(page, name) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      const path = join(SCREENSHOTS, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    async close() {
      try {
        await context.close();
      } finally {
        rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
      }
    },
  };
}
