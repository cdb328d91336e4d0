// gradebox settings. The only module that reads the environment; every key has a default.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

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
  /**
   * The service's data (SQLite store, submission files, private Redis), shared by every command.
   * @defaultValue `<stateDir>/data` when root (`/var/lib/gradebox/data`), else `$XDG_DATA_HOME/gradebox` (`~/.local/share/gradebox`)
   */
  dataDir: string;
  /** The store's PostgreSQL database (`postgres://…`), for every command that opens the store. @defaultValue unset: SQLite under `dataDir` */
  databaseUrl: string | undefined;
  /** The folder of big blobs; API processes on several hosts share it (a shared mount). @defaultValue `<dataDir>/blobs` */
  blobDir: string | undefined;
  /** Redis shared by the API and the workers; unset or unreachable: `gradebox start` runs a private one. @defaultValue unset */
  redisUrl: string | undefined;
  /** The unprivileged user the API (and its private Redis) runs as when started by root. @defaultValue `gradebox` */
  serviceUser: string;
  /** HTTP port of the API. @defaultValue `8080` */
  port: number;
  /** Uploads one course key may make per minute, counted in Redis across API processes (429 beyond). @defaultValue `1200` */
  uploadsPerMinute: number;
  /** Regrades one course key may ask for per minute (429 beyond). @defaultValue `600` */
  regradesPerMinute: number;
  /** Event streams one course key may hold open at once, per API process (429 beyond). @defaultValue `100` */
  streamsPerKey: number;
  /** An event stream ends after this many seconds; the client resumes with Last-Event-ID. @defaultValue `600` */
  streamMaxSeconds: number;
  /** The operators' bearer token for /metrics and /operator routes. @defaultValue unset: the API makes one in `<data>/operator-token` */
  operatorToken: string | undefined;
  /** A signed-in session ends this many hours after sign-in, whatever happens. @defaultValue `12` */
  sessionHours: number;
  /** A signed-in session ends after this many minutes without a request. @defaultValue `120` */
  sessionIdleMinutes: number;
  /** Failed sign-ins one email may have in 15 minutes before it must wait (counted across API processes). @defaultValue `10` */
  signInFailures: number;
  /** Set by `gradebox start` for its children: they stop when that process is gone. @defaultValue unset */
  supervisorPid: number | undefined;
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

/**
 * The data folder when GRADEBOX_DATA is unset: never relative to the current folder, so every
 * command finds the same store wherever it is run from.
 */
function defaultDataDir(stateDir: string): string {
  if (process.getuid?.() === 0) return join(stateDir, 'data');
  return join(process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'gradebox');
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
    dataDir: resolve(fromEnv('GRADEBOX_DATA', defaultDataDir(stateDir))),
    databaseUrl: process.env.DATABASE_URL || undefined,
    blobDir: process.env.GRADEBOX_BLOB_DIR ? resolve(process.env.GRADEBOX_BLOB_DIR) : undefined,
    redisUrl: process.env.REDIS_URL || undefined,
    serviceUser: fromEnv('GRADEBOX_USER', 'gradebox'),
    port: numberFromEnv('GRADEBOX_PORT', 8080),
    uploadsPerMinute: numberFromEnv('GRADEBOX_UPLOADS_PER_MINUTE', 1200),
    regradesPerMinute: numberFromEnv('GRADEBOX_REGRADES_PER_MINUTE', 600),
    streamsPerKey: numberFromEnv('GRADEBOX_STREAMS_PER_KEY', 100),
    streamMaxSeconds: numberFromEnv('GRADEBOX_STREAM_MAX_SECONDS', 600),
    operatorToken: process.env.GRADEBOX_OPERATOR_TOKEN || undefined,
    sessionHours: numberFromEnv('GRADEBOX_SESSION_HOURS', 12),
    sessionIdleMinutes: numberFromEnv('GRADEBOX_SESSION_IDLE_MINUTES', 120),
    signInFailures: numberFromEnv('GRADEBOX_SIGNIN_FAILURES', 10),
    supervisorPid: process.env.GRADEBOX_SUPERVISOR_PID ? numberFromEnv('GRADEBOX_SUPERVISOR_PID', 1) : undefined,
  };
}

let cached: Config | undefined;

/** The process-wide configuration, read once. */
export function config(): Config {
  cached ??= loadConfig();
  return cached;
}
