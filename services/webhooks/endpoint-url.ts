// An endpoint's URL as gradebox will call it: http or https, no credentials or fragment, and a host
// that resolves only to addresses the guard allows (checked again at every delivery).
import { UserError } from '../common/errors.js';
import type { AddressGuard, CheckedAddress } from './address-guard.js';

function refuse(url: string, why: string): never {
  throw new UserError('E_WEBHOOK_URL', `webhook URL ${JSON.stringify(url.length > 200 ? `${url.slice(0, 200)}…` : url)} ${why}`);
}

/** The parsed URL; a UserError (E_WEBHOOK_URL) says what is wrong with its form. */
export function parseEndpointUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    refuse(text, 'is not a URL; give one like https://lms.example.edu/gradebox/webhooks');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') refuse(text, `has the scheme ${url.protocol.slice(0, -1)}; use https:// (or http://)`);
  if (url.username || url.password) refuse(text, 'carries a user name or password; deliveries are signed instead (verify the webhook-signature header)');
  if (url.hash) refuse(text, 'has a #fragment, which is never sent; leave it out');
  if (text.length > 2048) refuse(text, 'is longer than 2048 characters');
  return url;
}

/** Checks the URL's form and its host's addresses now; returns the URL as gradebox writes it. */
export async function checkEndpointUrl(text: string, guard: AddressGuard): Promise<{ url: string; address: CheckedAddress }> {
  const url = parseEndpointUrl(text);
  return { url: url.href, address: await guard.check(url.hostname) };
}
