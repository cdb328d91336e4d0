// gradebox settings. The only module that reads the environment; every key has a default.
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
  /** The service's data (SQLite store, submission files, private Redis). @defaultValue `./var` */
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
  /** Where LMS platforms and browsers reach the API (behind its TLS proxy), for LTI's redirect and deep-link URLs. @defaultValue unset: the API's own address */
  publicUrl: string | undefined;
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
    dataDir: resolve(fromEnv('GRADEBOX_DATA', 'var')),
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
    publicUrl: process.env.GRADEBOX_PUBLIC_URL || undefined,
    supervisorPid: process.env.GRADEBOX_SUPERVISOR_PID ? numberFromEnv('GRADEBOX_SUPERVISOR_PID', 1) : undefined,
  };
}

let cached: Config | undefined;

/** The process-wide configuration, read once. */
export function config(): Config {
  cached ??= loadConfig();
  return cached;
}
