// Root runs gradebox's service commands; everything but the worker gives its rights away first.
import { mkdirSync } from 'node:fs';

import { config } from '../common/config.js';
import { loadSqliteDriver } from '../store/sqlite-connection.js';
import { giveTree } from './give-tree.js';
import { checkInstallReadable } from './install-readable.js';
import { becomeServiceUser, isRoot, lookUpServiceUser } from './service-user.js';

/**
 * When root: gives the data folder to the service account (private to it) and becomes it, so the
 * API and the CLI commands that write its store never hold root and always leave files the API can read.
 */
export function dropToServiceUser(dataDir: string): void {
  // What is made in the data folder from now on is the account's alone: it holds every student's files.
  process.umask(0o077);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (!isRoot()) return;
  const user = lookUpServiceUser(config().serviceUser);
  loadSqliteDriver(); // native code loaded lazily would be out of reach once we are not root
  giveTree(dataDir, user);
  becomeServiceUser(user);
  checkInstallReadable(user.name);
}
