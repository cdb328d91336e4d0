// Kernel SECCOMP audit records, read from the audit netlink multicast group while sandboxes run.
//
// Design: the addon exposes a non-blocking socket and a read that drains what is pending; this
// class polls it on a short interval (and once more on every lookup). A timer costs one recv() that
// returns EAGAIN; a libuv poll watcher inside the addon would save that but adds handle lifetimes
// in C++ for no gain a grader can notice. The kernel queues records in the socket between polls
// (1 MiB buffer); if it overflows, `lost` says so, because then a missing record proves nothing.
import { closeSync, readFileSync } from 'node:fs';

import { InternalError } from '../common/errors.js';
import { openAuditSocket, readAuditRecords } from '../seccomp/addon.js';
import { AUDIT_SECCOMP, parseSeccompRecord, type SeccompRecord } from './seccomp-record.js';

export type { SeccompAction, SeccompRecord } from './seccomp-record.js';

export interface KernelAuditOptions {
  /** How often pending records are read while started, in ms. @defaultValue `50` */
  pollIntervalMs?: number;
  /** SECCOMP records kept in memory; the oldest go first (and `lost` turns true). @defaultValue `4096` */
  maxRecords?: number;
}

export interface SeccompRecordFilter {
  /** The caller's pid on the host. */
  hostPid?: number;
  /** Inclusive range of host uids: a sandbox's mapped uids. */
  uidRange?: readonly [number, number];
  /** Records the kernel logged at or after this time (less 20 ms for the kernel's coarse clock). */
  since?: Date;
}

export interface KernelAuditStatus {
  available: boolean;
  /** Why records cannot be read or will not come; absent when available. */
  reason?: string;
}

const ACTIONS_LOGGED = '/proc/sys/kernel/seccomp/actions_logged';
/** Audit stamps come from the coarse real-time clock, up to a tick behind Date.now(). */
const COARSE_CLOCK_SLACK_MS = 20;

function matches(record: SeccompRecord, filter: SeccompRecordFilter): boolean {
  if (filter.hostPid !== undefined && record.pid !== filter.hostPid) return false;
  if (filter.uidRange && (record.uid < filter.uidRange[0] || record.uid > filter.uidRange[1])) return false;
  if (filter.since && record.time.getTime() < filter.since.getTime() - COARSE_CLOCK_SLACK_MS) return false;
  return true;
}

/** Collects the kernel's AUDIT_SECCOMP records from start() to stop(). */
export class KernelAuditReader {
  readonly #pollIntervalMs: number;
  readonly #maxRecords: number;
  #fd: number | null = null;
  #timer: NodeJS.Timeout | null = null;
  #records: SeccompRecord[] = [];
  #lost = false;
  #failure: Error | null = null;

  constructor(options: KernelAuditOptions = {}) {
    this.#pollIntervalMs = options.pollIntervalMs ?? 50;
    this.#maxRecords = options.maxRecords ?? 4096;
  }

  /** Joins the multicast group; throws InternalError E_AUDIT_UNAVAILABLE when the kernel or privileges do not allow it. */
  start(): void {
    if (this.#fd !== null) return;
    this.#fd = openAuditSocket();
    this.#failure = null;
    this.#timer = setInterval(() => this.#pollInBackground(), this.#pollIntervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
  }

  /** True once records were dropped (socket overflow or maxRecords passed) since start. */
  get lost(): boolean {
    return this.#lost;
  }

  /** Reads what is pending now. */
  poll(): void {
    if (this.#failure) throw this.#failure;
    if (this.#fd === null) throw new InternalError('E_AUDIT_NOT_STARTED', 'the kernel audit reader is not started');
    const { records, lost } = readAuditRecords(this.#fd);
    if (lost) this.#lost = true;
    for (const raw of records) {
      if (raw.type !== AUDIT_SECCOMP) continue;
      const record = parseSeccompRecord(raw.text);
      if (record) this.#records.push(record);
    }
    const excess = this.#records.length - this.#maxRecords;
    if (excess > 0) {
      this.#records.splice(0, excess);
      this.#lost = true;
    }
  }

  /** A failure in the timer stops polling and is thrown by the next lookup. */
  #pollInBackground(): void {
    try {
      this.poll();
    } catch (error) {
      this.#failure = error instanceof Error ? error : new Error(String(error));
      if (this.#timer) clearInterval(this.#timer);
      this.#timer = null;
    }
  }

  /** The SECCOMP records seen so far that match, oldest first. */
  findSeccompRecords(filter: SeccompRecordFilter = {}): SeccompRecord[] {
    this.poll();
    return this.#records.filter((record) => matches(record, filter));
  }

  /**
   * Like findSeccompRecords, but waits up to timeoutMs for a first match: the kernel hands records
   * to the multicast group from its kauditd thread, a moment after the call.
   */
  async waitForSeccompRecords(filter: SeccompRecordFilter, timeoutMs = 1000): Promise<SeccompRecord[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.findSeccompRecords(filter);
      if (found.length > 0 || Date.now() >= deadline) return found;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

/** Whether SECCOMP audit records can be read here, for health output. */
export function kernelAuditStatus(): KernelAuditStatus {
  try {
    closeSync(openAuditSocket());
  } catch (error) {
    return { available: false, reason: `cannot join the audit multicast group: ${error instanceof Error ? error.message : String(error)}` };
  }
  let logged: string;
  try {
    logged = readFileSync(ACTIONS_LOGGED, 'utf8');
  } catch (error) {
    return { available: false, reason: `cannot read ${ACTIONS_LOGGED}: ${error instanceof Error ? error.message : String(error)}` };
  }
  // Violations arrive as user notifications: without this the kernel logs none of them.
  if (!logged.split(/\s+/).includes('user_notif')) {
    return { available: false, reason: `${ACTIONS_LOGGED} lacks user_notif, so violations are not logged` };
  }
  return { available: true };
}
