// Checks of an incident a worker reports, before it is stored, the same for every backend.
import { UserError } from '../common/errors.js';
import { checkSha256, checkText, jsonObjectText, quote } from './input-checks.js';
import { TRIAGE_STATES, type IncidentInput, type TriageState } from './store.js';

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

export function checkTriageState(state: unknown): TriageState {
  if (!TRIAGE_STATES.includes(state as TriageState)) throw new UserError('E_BAD_INPUT', `triage state ${quote(state)} is unknown; use ${TRIAGE_STATES.join(', ')}`);
  return state as TriageState;
}

/** A triage note: free text of a few lines (newlines allowed, other control characters not). */
export function checkNote(note: unknown): string {
  // eslint-disable-next-line no-control-regex
  if (typeof note !== 'string' || note.length > 4000 || /[\u0000-\u0008\u000b-\u001f\u007f]/.test(note)) {
    throw new UserError('E_BAD_INPUT', 'a triage note is at most 4000 characters of text');
  }
  return note;
}
