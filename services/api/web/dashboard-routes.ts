// Serves the dashboard's pages (each reads the staff API as the signed-in person) and its static
// files. A signed-out browser is sent to sign in and brought back; what the staff API refuses
// (403, 404) becomes a page that says so; anything else is logged and shown by reference only.
import { readFileSync } from 'node:fs';

import { Router, type Request, type Response } from 'express';
import type { Logger } from 'pino';

import { fromPackageRoot } from '../../common/package-root.js';
import { dashboardRoutes } from '../../protocol/dashboard-routes.js';
import type { SessionTimes, Store } from '../../store/store.js';
import { HttpError, logFailure } from '../http-errors.js';
import { actorOf, identify } from '../identify.js';
import { serveRoute } from '../serve-route.js';
import { sendDashboardPage } from './dashboard-layout.js';
import { html } from './html-page.js';
import { assignmentPage } from './pages/assignment-page.js';
import { coursePage } from './pages/course-page.js';
import { coursesPage } from './pages/courses-page.js';
import { incidentPage, incidentsPage } from './pages/incident-pages.js';
import { peoplePage } from './pages/people-page.js';
import { queuePage } from './pages/queue-page.js';
import { submissionPage } from './pages/submission-page.js';

type Page = (req: Request, res: Response) => Promise<void>;

export interface DashboardOptions {
  store: Store;
  times: SessionTimes;
  logger: Logger;
}

function toSignIn(req: Request, res: Response): void {
  res.redirect(303, `/signin?next=${encodeURIComponent(req.originalUrl)}`);
}

/** A page for a signed-in person; the staff API's refusals shown as pages. */
export function dashboardPage(page: Page, logger: Logger): Page {
  return async (req, res) => {
    if (actorOf(res)?.kind !== 'user') return toSignIn(req, res);
    try {
      await page(req, res);
    } catch (error) {
      if (error instanceof HttpError && error.status === 401) return toSignIn(req, res);
      if (error instanceof HttpError && error.status < 500) {
        return sendDashboardPage(res, error.status, { title: error.status === 404 ? 'Not found' : 'Not allowed', body: html`<p role="alert">${error.message}.</p><p><a href="/">Back to the courses</a></p>` });
      }
      const reference = logFailure(res, logger, error, { url: req.originalUrl }, 'dashboard page failed');
      sendDashboardPage(res, 500, { title: 'This page failed', body: html`<p role="alert">The server failed to draw this page; operators can find why under the reference <code>${reference}</code>.</p>` });
    }
  };
}

const ASSETS: Record<string, { type: string; body: Buffer }> = {
  'dashboard.css': { type: 'text/css; charset=utf-8', body: readFileSync(fromPackageRoot('services', 'api', 'web', 'static', 'dashboard.css')) },
  'dashboard.js': { type: 'text/javascript; charset=utf-8', body: readFileSync(fromPackageRoot('services', 'api', 'web', 'static', 'dashboard.js')) },
};

function serveAsset(req: Request, res: Response): void {
  const asset = Object.hasOwn(ASSETS, String(req.params.file)) ? ASSETS[String(req.params.file)] : undefined;
  if (!asset) {
    res.status(404).type('text/plain').send('no such file');
    return;
  }
  res.set({ 'content-type': asset.type, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' }).send(asset.body);
}

/** The courses page, for the sign-in routes' home (/). */
export function homePage(logger: Logger): Page {
  return dashboardPage(coursesPage, logger);
}

export function dashboardPages(options: DashboardOptions): Router {
  const router = Router();
  const who = identify(options.store, options.times);
  const pages: Array<[keyof typeof dashboardRoutes, Page]> = [
    ['course', coursePage], ['assignment', assignmentPage], ['incidents', incidentsPage], ['people', peoplePage],
    ['submission', submissionPage], ['incident', incidentPage], ['queue', queuePage],
  ];
  for (const [name, page] of pages) serveRoute(router, dashboardRoutes[name], who, dashboardPage(page, options.logger));
  serveRoute(router, dashboardRoutes.asset, serveAsset);
  return router;
}
