import { readFileSync } from 'node:fs';

export function readNumbers() {
  return readFileSync(0, 'utf8').trim().split(/\s+/).map(BigInt);
}
