// Passwords gradebox makes for people (a new account, an admin's reset): 120 random bits written
// with letters and digits that cannot be mistaken for each other when read aloud or copied.
import { randomInt } from 'node:crypto';

const ALPHABET = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** 21 characters of a 56-letter alphabet: about 122 bits. */
export function newPassword(length = 21): string {
  let text = '';
  for (let i = 0; i < length; i++) text += ALPHABET[randomInt(ALPHABET.length)];
  return text;
}
