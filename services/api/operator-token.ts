// The operators' token (for /metrics and the operator routes): the configured one, or one made
// once per data folder, readable by the API's account only, like the workers' token.
import { randomBytes } from 'node:crypto';
import { closeSync, constants, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

import { UserError } from '../common/errors.js';

const MIN_CHARS = 16;

export function operatorTokenFile(dataDir: string): string {
  return join(dataDir, 'operator-token');
}

/** Made with O_EXCL (never over what is there) and read with O_NOFOLLOW (never through a link). */
function tokenFromFile(file: string): string {
  try {
    const fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    try {
      writeSync(fd, `${randomBytes(32).toString('base64url')}\n`);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    return readFileSync(fd, 'utf8').trim();
  } finally {
    closeSync(fd);
  }
}

export function ensureOperatorToken(dataDir: string, configured: string | undefined): string {
  const token = configured ?? tokenFromFile(operatorTokenFile(dataDir));
  if (token.length < MIN_CHARS || /\s/.test(token)) {
    throw new UserError('E_OPERATOR_TOKEN', `the operators' token must be at least ${MIN_CHARS} characters without spaces; set GRADEBOX_OPERATOR_TOKEN to a longer one, or remove ${operatorTokenFile(dataDir)} to have one made`);
  }
  return token;
}
