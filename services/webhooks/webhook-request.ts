// One webhook request: a POST to the endpoint's URL, connected to the address the guard checked
// (the name is not resolved again), TLS still verified against the host name, no redirect
// followed, everything within one timeout, and only the answer's status and headers kept.
import type { LookupFunction } from 'node:net';
import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

import type { CheckedAddress } from './address-guard.js';

export interface WebhookAnswer {
  status: number;
  /** The Retry-After header, when sent. */
  retryAfter: string | undefined;
  /** The Location header of a redirect, when sent. */
  location: string | undefined;
}

/** A lookup that answers the checked address, whatever it is asked (net.connect may ask for all addresses). */
function pinnedLookup(checked: CheckedAddress): LookupFunction {
  return (_hostname, options, callback) => {
    if ((options as { all?: boolean }).all) (callback as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [checked]);
    else callback(null, checked.address, checked.family);
  };
}

/** Resolves with the answer's status and headers; rejects when none came (refused, reset, timed out). */
export function postWebhook(url: URL, checked: CheckedAddress, headers: OutgoingHttpHeaders, body: Buffer, timeoutMs: number): Promise<WebhookAnswer> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    // agent false: a fresh connection to the checked address, never a pooled one made for another.
    const req = send(url, { method: 'POST', headers, agent: false, lookup: pinnedLookup(checked) }, (res) => {
      resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'], location: res.headers.location });
      // The body says nothing gradebox acts on: not read, the connection closed.
      res.destroy();
    });
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    req.on('close', () => clearTimeout(timer));
    req.on('error', reject);
    req.end(body);
  });
}
