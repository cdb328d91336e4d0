// Checks and rules of the LTI store that every backend shares: a platform registration's fields, and
// which score an event of a submission means for its learner's gradebook.
import { UserError } from '../common/errors.js';
import { checkText, quote } from './input-checks.js';
import type { LtiScoreKind, NewLtiPlatform } from './lti-store.js';
import type { EventType } from './store.js';

/** An absolute http(s) URL, as an LMS admin copies it. */
function checkUrl(what: string, value: unknown): string {
  const text = checkText(what, value, 2000);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UserError('E_BAD_INPUT', `${what} ${quote(text)} is not a URL; give the whole address, such as https://canvas.example.edu/api/lti/authorize_redirect`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UserError('E_BAD_INPUT', `${what} ${quote(text)} must be an https (or http) URL`);
  return text;
}

export function checkPlatform(p: NewLtiPlatform): NewLtiPlatform {
  return {
    issuer: checkText('issuer', p.issuer, 2000),
    clientId: checkText('client id', p.clientId, 255),
    deploymentId: checkText('deployment id', p.deploymentId, 255),
    authUrl: checkUrl('auth URL', p.authUrl),
    tokenUrl: checkUrl('token URL', p.tokenUrl),
    jwksUrl: checkUrl('JWKS URL', p.jwksUrl),
  };
}

/** The score an event means for the learner's gradebook: a first grading queued is Pending; a regrade keeps the old score until it ends. */
export function scoreKind(type: EventType, data: Record<string, unknown>): LtiScoreKind | null {
  if (type === 'queued') return data.kind === 'grade' ? 'pending' : null;
  if (type === 'graded') return 'graded';
  if (type === 'error') return 'failed';
  return null;
}

