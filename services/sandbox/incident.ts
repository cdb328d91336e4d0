// What a run reports of its first forbidden system call: the violation and the incident it became
// (the sandbox stopped, its writable files snapshotted as evidence, the kernel's own audit record).
import type { AuditEntry } from '../audit/audit-chain.js';
import type { SeccompRecord } from '../audit/kernel-audit.js';

/** The first forbidden syscall of a run (the `gradebox run --json` contract's fields first, then the /proc facts). */
export interface Violation {
  syscall: string;
  nr: number;
  arch: string;
  /** Pid inside the sandbox. */
  pid: number;
  args: string[];
  host_pid: number;
  cmdline: string;
  /** The offender's /proc/PID/status when it was caught. */
  proc_status: string;
  fds: Array<{ fd: number; target: string }>;
}

export interface Incident {
  id: string;
  /** The archive of what the sandbox could write (upper layer, /box, /tmp); null if it failed. */
  evidence: string | null;
  /** Per-file sha256 and what was left out, next to the archive. */
  manifest: string | null;
  /** sha256 of the archive. */
  sha256: string | null;
  steps: string[];
  /** The kernel's SECCOMP audit record of the call (host pid, mapped uid, syscall, action). */
  kernel_audit: SeccompRecord | null;
  /** Why there is no kernel record, when there is none. */
  kernel_audit_unavailable: string | null;
  /** The lines the audit log got for it (the violation, then each step), as written. */
  audit: AuditEntry[];
}
