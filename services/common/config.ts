// gradebox settings. The only module that reads the environment; every key has a default.
import { join } from 'node:path';

import { fromPackageRoot } from './package-root.js';

export interface Config {
  /** Persistent state of a host (read-only layers, evidence). @defaultValue `/var/lib/gradebox` */
  stateDir: string;
  /** Runtime state of the launcher (slot locks, mount points); a tmpfs. @defaultValue `/run/gradebox` */
  runDir: string;
  /** Directory under each cgroup hierarchy that holds the sandboxes' cgroups. @defaultValue `gradebox` */
  cgroupName: string;
  /** The launcher executable. @defaultValue `build/Release/gradebox-launch` in the package */
  launcherPath: string;
  /** gradebox's own append-only, hash-chained security audit log. @defaultValue `<stateDir>/audit/audit.log` */
  auditLog: string;
  /** Incident evidence: bytes kept in all, KiB. @defaultValue `65536` */
  evidenceMaxKb: number;
  /** Incident evidence: entries (files, links, folders) kept. @defaultValue `10000` */
  evidenceMaxEntries: number;
  /** Incident evidence: bytes kept of any one file, KiB. @defaultValue `16384` */
  evidenceMaxFileKb: number;
}

function numberFromEnv(name: string, fallback: number): number {
  const value = Number(fromEnv(name, String(fallback)));
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number above 0`);
  return value;
}

function fromEnv(name: string, fallback: string): string {
  const value = process.env[name];
  return value !== undefined && value !== '' ? value : fallback;
}

export function loadConfig(): Config {
  const stateDir = fromEnv('GRADEBOX_STATE_DIR', '/var/lib/gradebox');
  return {
    stateDir,
    runDir: fromEnv('GRADEBOX_RUN_DIR', '/run/gradebox'),
    cgroupName: fromEnv('GRADEBOX_CGROUP_NAME', 'gradebox'),
    launcherPath: fromEnv('GRADEBOX_LAUNCHER', fromPackageRoot('build', 'Release', 'gradebox-launch')),
    auditLog: fromEnv('GRADEBOX_AUDIT_LOG', join(stateDir, 'audit', 'audit.log')),
    evidenceMaxKb: numberFromEnv('GRADEBOX_EVIDENCE_MAX_KB', 65536),
    evidenceMaxEntries: numberFromEnv('GRADEBOX_EVIDENCE_MAX_ENTRIES', 10000),
    evidenceMaxFileKb: numberFromEnv('GRADEBOX_EVIDENCE_MAX_FILE_KB', 16384),
  };
}

let cached: Config | undefined;

/** The process-wide configuration, read once. */
export function config(): Config {
  cached ??= loadConfig();
  return cached;
}
