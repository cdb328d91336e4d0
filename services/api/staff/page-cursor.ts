// A listing's cursor: where the next page starts, as an opaque string (base64url of JSON) the client
// gives back. It is checked like any input: a forged one can only ask for another page.
import { HttpError } from '../http-errors.js';

export function encodeCursor(position: unknown): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

/** The position `cursor` holds, checked by `accept`; a 400 for anything else. */
export function decodeCursor<T>(cursor: string | undefined, accept: (value: unknown) => value is T): T | undefined {
  if (cursor === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  if (!accept(value)) throw new HttpError(400, 'E_BAD_CURSOR', 'cursor is not one this API gave; use next_cursor of the page before, or leave it out for the first page');
  return value;
}
