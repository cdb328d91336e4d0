// gradebox settings. The only module that reads the environment; every key has a default.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

import { parseDuration } from './durations.js';
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
  /** The API's address as portals, LMS platforms and browsers reach it (behind its TLS proxy): links in webhook payloads, LTI redirect and deep-link URLs. @defaultValue `http://<host>:<port>` of the API */
  publicUrl: string | undefined;
  /** Networks (CIDRs) webhook endpoints may be in although private, loopback or link-local. @defaultValue none */
  webhookAllowedNetworks: string[];
  /** DNS servers that resolve webhook hosts (`IP` or `IP:port`); none: the system's resolver. @defaultValue none */
  webhookDnsServers: string[];
  /** Delays before each delivery attempt of a webhook, ms: the first is the first attempt's. @defaultValue 0, 5s, 5m, 30m, 2h, 5h, 10h, 14h, 20h, 24h */
  webhookRetryScheduleMs: number[];
  /** How long one webhook request may take, ms. @defaultValue 15 s */
  webhookTimeoutMs: number;
  /** An endpoint whose every attempt has failed this long is disabled, ms. @defaultValue 5 days */
  webhookDisableAfterMs: number;
  /** After a secret rotation, how long the old secret still signs beside the new one, ms. @defaultValue 24 h */
  webhookRotationGraceMs: number;
  /** Inbound webhooks: how far their timestamp may be from the clock, ms. @defaultValue 5 min */
  webhookToleranceMs: number;
}

/** The Standard Webhooks example schedule: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h. */
export const STANDARD_RETRY_SCHEDULE = '0,5s,5m,30m,2h,5h,10h,14h,20h,24h';

function numberFromEnv(name: string, fallback: number): number {
  const value = Number(fromEnv(name, String(fallback)));
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number above 0`);
  return value;
}

function durationFromEnv(name: string, fallback: string): number {
  const ms = parseDuration(fromEnv(name, fallback));
  if (ms === null) throw new Error(`${name} must be a duration such as 500ms, 15s, 30m, 2h or 5d`);
  return ms;
}

function listFromEnv(name: string, fallback = ''): string[] {
  return fromEnv(name, fallback).split(',').map((item) => item.trim()).filter((item) => item !== '');
}

function scheduleFromEnv(name: string): number[] {
  const steps = listFromEnv(name, STANDARD_RETRY_SCHEDULE).map(parseDuration);
  if (steps.length === 0 || steps.some((ms) => ms === null)) throw new Error(`${name} must be a comma-separated list of durations, e.g. ${STANDARD_RETRY_SCHEDULE}`);
  return steps as number[];
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
    publicUrl: process.env.GRADEBOX_PUBLIC_URL || undefined,
    webhookAllowedNetworks: listFromEnv('GRADEBOX_WEBHOOK_ALLOW_NETWORKS'),
    webhookDnsServers: listFromEnv('GRADEBOX_WEBHOOK_DNS_SERVERS'),
    webhookRetryScheduleMs: scheduleFromEnv('GRADEBOX_WEBHOOK_RETRY_SCHEDULE'),
    webhookTimeoutMs: durationFromEnv('GRADEBOX_WEBHOOK_TIMEOUT', '15s'),
    webhookDisableAfterMs: durationFromEnv('GRADEBOX_WEBHOOK_DISABLE_AFTER', '5d'),
    webhookRotationGraceMs: durationFromEnv('GRADEBOX_WEBHOOK_ROTATION_GRACE', '24h'),
    webhookToleranceMs: durationFromEnv('GRADEBOX_WEBHOOK_TOLERANCE', '5m'),
  };
}

let cached: Config | undefined;

/** The process-wide configuration, read once. */
export function config(): Config {
  cached ??= loadConfig();
  return cached;
}
