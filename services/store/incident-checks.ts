// Checks of an incident a worker reports, before it is stored, the same for every backend.
import { UserError } from '../common/errors.js';
import { checkSha256, checkText, jsonObjectText, quote } from './input-checks.js';
import type { IncidentInput } from './store.js';

/** An incident checked and ready to insert. */
export interface CheckedIncident {
  syscall: string;
  evidenceSha256: string | null;
  evidencePath: string | null;
  recordJson: string;
}

export function checkIncident(input: IncidentInput, maxJsonBytes: number): CheckedIncident {
  if (input === null || typeof input !== 'object') throw new UserError('E_BAD_INPUT', 'an incident must be an object with syscall, evidenceSha256, evidencePath and record');
  const path = input.evidencePath ?? null;
  if (path !== null && (typeof path !== 'string' || path.includes('\0') || path.length > 4096)) {
    throw new UserError('E_BAD_INPUT', `incident evidence path ${quote(path)} is not a path; give the path or null`);
  }
  return {
    syscall: checkText('incident syscall', input.syscall, 64),
    evidenceSha256: input.evidenceSha256 == null ? null : checkSha256('incident evidence digest', input.evidenceSha256),
    evidencePath: path,
    recordJson: jsonObjectText('incident record', input.record, maxJsonBytes),
  };
}
