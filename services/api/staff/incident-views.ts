// How the staff API shows a security incident: where it happened and how far its triage got, and
// in detail the offender and the policy as the security audit log recorded them, that log's lines
// of the incident (as the worker wrote them), and what its evidence archive holds.
import type { z } from 'zod';

import type { incidentDetail, incidentView } from '../../protocol/staff-schemas.js';
import type { Incident } from '../../store/store.js';

type AuditLineJson = z.infer<typeof incidentDetail>['audit'][number];

export function incidentJson(i: Incident): z.infer<typeof incidentView> {
  const record = i.record as { test?: unknown };
  return {
    id: i.id, course: i.courseId, submission: i.submissionId, grade_number: i.gradeNumber,
    test: typeof record.test === 'string' ? record.test : null, syscall: i.syscall, created_at: i.createdAt,
    triage: i.triage,
    evidence: i.evidenceSha256 ? { sha256: i.evidenceSha256, stored: true } : null,
  };
}

/** The audit lines the worker sent with the incident (objects with seq, type and hash), as they are. */
function auditLines(record: Record<string, unknown>): AuditLineJson[] {
  const lines = Array.isArray(record.audit) ? record.audit : [];
  return lines.filter((line): line is AuditLineJson =>
    typeof line === 'object' && line !== null && typeof (line as AuditLineJson).seq === 'number' && typeof (line as AuditLineJson).type === 'string');
}

export function incidentDetailJson(i: Incident, manifest: unknown): z.infer<typeof incidentDetail> {
  const audit = auditLines(i.record);
  const offender = audit.find((line) => line.type === 'violation') ?? null;
  return { ...incidentJson(i), offender, audit, manifest };
}
