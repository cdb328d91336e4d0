// What a violation triggers on the TypeScript side, once the launcher has frozen, snapshotted and
// killed the sandbox: the kernel's own SECCOMP audit record is attached to the incident, and every
// step goes into gradebox's append-only audit log.
import { AuditLog, type AuditEntry } from '../audit/audit-log.js';
import { KernelAuditReader, kernelAuditStatus, type KernelAuditStatus, type SeccompRecord } from '../audit/kernel-audit.js';
import type { Incident, Violation } from './incident.js';

/** The kernel's record of the violation, or why there is none. */
export interface KernelAuditAttachment {
  record: SeccompRecord | null;
  unavailable: string | null;
}

/** What recording an incident attached to it: the kernel's record, and the audit log's lines. */
export interface IncidentAttachments extends KernelAuditAttachment {
  audit: AuditEntry[];
}

let reader: KernelAuditReader | null = null;
let readerStatus: KernelAuditStatus | null = null;

/**
 * Joins the audit multicast group once per process, before any sandbox runs: the kernel only
 * sends records that are written after we joined. Where it cannot, health output says why.
 */
export function startKernelAudit(): KernelAuditStatus {
  if (readerStatus) return readerStatus;
  readerStatus = kernelAuditStatus();
  if (readerStatus.available) {
    try {
      reader = new KernelAuditReader();
      reader.start();
    } catch (error) {
      reader = null;
      readerStatus = { available: false, reason: error instanceof Error ? error.message : String(error) };
    }
  }
  return readerStatus;
}

async function kernelRecord(violation: Violation, since: Date): Promise<KernelAuditAttachment> {
  const status = startKernelAudit();
  if (!reader) return { record: null, unavailable: status.reason ?? 'kernel audit is unavailable' };
  const records = await reader.waitForSeccompRecords({ hostPid: violation.host_pid, since }, 1000);
  const record = records.find((r) => r.syscall === violation.nr) ?? records[0] ?? null;
  return { record, unavailable: record ? null : 'no SECCOMP record arrived within 1 s' };
}

let auditLog: AuditLog | null = null;

/** Records an incident: kernel record attached, audit log written (one line per step). */
export async function recordIncident(violation: Violation, incident: Incident, context: { policy: string; policyDigest: string; started: Date }): Promise<IncidentAttachments> {
  const kernel = await kernelRecord(violation, context.started);
  auditLog ??= new AuditLog();
  const base = { incident: incident.id, policy: context.policy, policy_digest: context.policyDigest };
  const audit: AuditEntry[] = [];
  audit.push(await auditLog.append('violation', {
    ...base, syscall: violation.syscall, nr: violation.nr, arch: violation.arch, args: violation.args,
    pid: violation.pid, host_pid: violation.host_pid, cmdline: violation.cmdline,
    kernel_audit: kernel.record ? { serial: kernel.record.serial, time: kernel.record.time.toISOString(), code: kernel.record.code } : null,
  }));
  for (const step of incident.steps) {
    audit.push(await auditLog.append(`incident.${step}`, step === 'snapshotted' ? { ...base, evidence: incident.evidence, sha256: incident.sha256 } : base));
  }
  return { ...kernel, audit };
}

/** A seccomp program was compiled for a policy digest never seen on this host: a policy change. */
export async function recordPolicyInstalled(name: string, digest: string): Promise<void> {
  auditLog ??= new AuditLog();
  await auditLog.append('policy.installed', { policy: name, digest });
}
